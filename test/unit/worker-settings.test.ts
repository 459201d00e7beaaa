import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, describeEnv, loadEnv } from '../../config/env';
import { bundleIsFresh, ensureWorkflowBundle } from '../../workers/bundle';
import { workerTuning } from '../../workers/worker';

describe('worker sizing from the environment', () => {
  it('bounds the cache and the slots by default', () => {
    const env = loadEnv({});
    expect(workerTuning(env)).toEqual({ maxCachedWorkflows: 200, maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentActivityTaskExecutions: 20 });
    expect(describeEnv(env)).toContain('worker     cache 200 workflows, at once 10 workflow tasks and 20 activities');
  });

  it('takes the operator values, and 0 turns the cache off', () => {
    const env = loadEnv({ WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40', WORKER_MAX_CONCURRENT_ACTIVITIES: '100' });
    expect(workerTuning(env)).toEqual({ maxCachedWorkflows: 0, maxConcurrentWorkflowTaskExecutions: 40, maxConcurrentActivityTaskExecutions: 100 });
    expect(describeEnv(env)).toContain('worker     cache off workflows, at once 40 workflow tasks and 100 activities');
  });

  it.each([
    [{ WORKER_MAX_CACHED_WORKFLOWS: '1' }, /WORKER_MAX_CACHED_WORKFLOWS: 0 \(no cache\) or at least 2/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, /WORKER_MAX_CACHED_WORKFLOWS/],
    [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/],
    [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, /WORKER_MAX_CONCURRENT_ACTIVITIES/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '30' }, /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS cannot exceed WORKER_MAX_CACHED_WORKFLOWS/],
  ])('refuses %j', (source, message) => {
    expect(() => loadEnv(source)).toThrow(ConfigError);
    expect(() => loadEnv(source)).toThrow(message);
  });
});

describe('the workflow bundle built at install', () => {
  let dir: string;
  let sources: string;
  let workflows: string;
  let bundle: string;
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'itsm-bundle-'));
    sources = path.join(dir, 'workflows');
    mkdirSync(sources);
    workflows = path.join(sources, 'index.ts');
    bundle = path.join(dir, 'out', 'workflow-bundle.js');
    writeFileSync(workflows, "export async function edited(): Promise<string> { return 'after the edit'; }\n");
    // The bundler resolves the SDK's workflow runtime from beside the sources, as it does in the checkout.
    symlinkSync(path.resolve(__dirname, '../../node_modules'), path.join(dir, 'node_modules'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is stale when missing or older than any input, in a directory too', () => {
    expect(bundleIsFresh(bundle, [sources])).toBe(false);
    const built = path.join(dir, 'built.js');
    writeFileSync(built, '');
    at(workflows, 1_000);
    at(sources, 1_000);
    at(built, 2_000);
    expect(bundleIsFresh(built, [sources])).toBe(true);
    at(workflows, 3_000);
    expect(bundleIsFresh(built, [sources])).toBe(false);
    // A removed workflow file shows only in its directory's time.
    at(workflows, 1_000);
    at(sources, 3_000);
    expect(bundleIsFresh(built, [sources])).toBe(false);
    expect(bundleIsFresh(built, [path.join(dir, 'no-such-input')])).toBe(true);
  });

  it('is rebuilt from the edited sources, and kept while they do not change', async () => {
    mkdirSync(path.dirname(bundle));
    writeFileSync(bundle, "// the bundle of before the edit: 'before the edit'\n");
    at(bundle, 1_000);
    await expect(ensureWorkflowBundle(() => {}, bundle, [sources], workflows)).resolves.toEqual({ codePath: bundle });
    const rebuilt = readFileSync(bundle, 'utf8');
    expect(rebuilt).toContain('after the edit');
    expect(rebuilt).not.toContain('before the edit');

    const lines: string[] = [];
    at(bundle, Date.now() / 1000 + 60);
    await ensureWorkflowBundle((line) => lines.push(line), bundle, [sources], workflows);
    expect(lines).toEqual([]);
  });
});
