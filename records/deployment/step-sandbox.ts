import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Env } from '../../config/env';

/** Where deploy steps may and may not run. */
export interface StepSandbox {
  /** The product's own files (PGlite database, demo tokens, caught mail): no step runs in it. */
  dataDir: string;
  /** Each shell step gets an empty directory of its own under this one, removed when the step ends. */
  workRoot: string;
}

export function isInside(dir: string, parent: string): boolean {
  const relative = path.relative(parent, dir);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

export function stepSandboxFromEnv(env: Pick<Env, 'DATA_DIR' | 'ITSM_STEP_WORKDIR'>): StepSandbox {
  const sandbox = { dataDir: path.resolve(env.DATA_DIR), workRoot: path.resolve(env.ITSM_STEP_WORKDIR ?? path.join(os.tmpdir(), 'itsm-steps')) };
  if (isInside(sandbox.workRoot, sandbox.dataDir)) throw new ConfigError('invalid configuration:\n  ITSM_STEP_WORKDIR must lie outside DATA_DIR (deploy steps may not reach the product\'s own files)');
  return sandbox;
}

/** Whether a directory lies inside DATA_DIR, following symbolic links where the directories exist. */
export async function insideDataDir(dir: string, sandbox: StepSandbox): Promise<boolean> {
  const real = (target: string) => realpath(target).catch(() => path.resolve(target));
  return isInside(await real(dir), await real(sandbox.dataDir));
}

/** An empty directory only this step uses (mode 0700); `remove` takes it away with whatever the step left. */
export async function stepDirectory(sandbox: StepSandbox, label: string) {
  await mkdir(sandbox.workRoot, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(sandbox.workRoot, `${label.replace(/[^A-Za-z0-9-]/g, '_')}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// The system's basics a command needs to run, and nothing that could hold a credential. The worker's own
// variables (DATABASE_URL, ACTION_LINK_SECRET, SMTP_URL, TEMPORAL_*, DATA_DIR ...) never reach a step.
const INHERITED = ['PATH', 'LANG', 'LC_ALL', 'TZ'] as const;

/**
 * A step's whole environment: the basics above, HOME in its own directory (so tools find no dotfile of the
 * worker's user, e.g. an ~/.npmrc token), the adapter's variables, and the documented ITSM_* release fields.
 */
export function stepEnvironment(adapterEnv: Record<string, string>, release: Record<`ITSM_${string}`, string>, home: string, source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const basics = Object.fromEntries(INHERITED.flatMap((name) => (source[name] === undefined ? [] : [[name, source[name]]])));
  return { ...basics, HOME: home, ...adapterEnv, ...release };
}
