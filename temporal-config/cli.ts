import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
// v1.5.1 is the newest release whose go.mod has no `replace` directive, so it is the newest one `go install` can build.
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
export const REPO_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(REPO_ROOT, '.tools', 'bin');
const CACHED_BINARY = path.join(TOOLS_BIN, process.platform === 'win32' ? 'temporal.exe' : 'temporal');

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' | 'download';

export class TemporalCliMissing extends Error {
  constructor(detail: string) {
    super(
      `The Temporal CLI is needed to run the embedded Temporal server and could not be provisioned (${detail}).\n` +
        'Fix one of these, then run `npm run setup:temporal`:\n' +
        '  - install Go 1.23+ (https://go.dev/dl) so the CLI can be built from source, or\n' +
        '  - install the Temporal CLI (https://docs.temporal.io/cli) so `temporal` is on PATH, or\n' +
        '  - set TEMPORAL_CLI_PATH to an existing temporal binary.',
    );
  }
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Go on PATH, else where the official installer puts it. */
export function goCommand(): string | undefined {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Finds an already-available CLI without building or downloading anything. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): { path: string; source: CliSource } | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new TemporalCliMissing(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  if (isExecutable(CACHED_BINARY)) return { path: CACHED_BINARY, source: 'cache' };
  return undefined;
}

function withProgress<T>(label: string, work: Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`[temporal-cli] ${label}: still working (${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s)`);
  }, 20_000);
  return work.finally(() => clearInterval(timer));
}

function buildWithGo(go: string): Promise<void> {
  mkdirSync(TOOLS_BIN, { recursive: true });
  console.log(`[temporal-cli] building ${GO_PACKAGE} with ${go} into .tools/bin (first time only; takes a few minutes)`);
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', GO_PACKAGE], {
      env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install exited with ${code}`))));
  });
}

async function downloadRelease(): Promise<void> {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!platform || !arch) throw new Error(`no official build for ${process.platform}/${process.arch}`);
  const url = `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${platform}&arch=${arch}`;
  console.log(`[temporal-cli] downloading ${url}`);
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`download answered HTTP ${response.status}`);
  const work = mkdtempSync(path.join(tmpdir(), 'temporal-cli-'));
  try {
    const archive = path.join(work, platform === 'windows' ? 'cli.zip' : 'cli.tar.gz');
    writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    const untar = spawnSync('tar', ['-xf', archive, '-C', work], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error('could not unpack the downloaded archive');
    mkdirSync(TOOLS_BIN, { recursive: true });
    renameSync(path.join(work, path.basename(CACHED_BINARY)), CACHED_BINARY);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached .tools/bin build, then `go install`, then the
 * official release download. Never rebuilds what is already there.
 */
export async function provisionTemporalCli(): Promise<{ path: string; source: CliSource }> {
  const found = findTemporalCli();
  if (found) return found;
  const failures: string[] = [];
  const go = goCommand();
  if (go) {
    try {
      await withProgress('go install', buildWithGo(go));
      if (isExecutable(CACHED_BINARY)) return { path: CACHED_BINARY, source: 'go install' };
      failures.push('go install finished without producing .tools/bin/temporal');
    } catch (error) {
      failures.push(`go install failed: ${(error as Error).message}`);
    }
  } else {
    failures.push('Go is not installed');
  }
  try {
    await withProgress('download', downloadRelease());
    if (isExecutable(CACHED_BINARY)) return { path: CACHED_BINARY, source: 'download' };
    failures.push('the download did not contain a temporal binary');
  } catch (error) {
    failures.push(`download failed: ${(error as Error).message}`);
  }
  throw new TemporalCliMissing(failures.join('; '));
}
