import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProductProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resident memory of this process alone (VmRSS), not of its children, in MiB. */
  rssMiB(): number;
  /** SIGSTOP / SIGCONT to its process group: the process holds its connections but does no work. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * A product entry point (`scripts/start.ts`, `api/main.ts`, `workers/main.ts`) as its own process, with what it
 * prints kept in `logFile`. Node loads tsx itself (`--import tsx`) rather than through the tsx CLI, which would
 * put a second process in between: the pid is the process that does the work, so its /proc RSS is the product's.
 * Detached, in a process group of its own, so a signal reaches the process and nothing else.
 */
export async function startProductProcess(options: {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves true once the process serves; polled every 100 ms, together with what it has printed so far. */
  ready: (output: string) => boolean | Promise<boolean>;
  readyTimeoutMs?: number;
}): Promise<ProductProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], { cwd: ROOT, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    if (output.length < 100_000) output += chunk.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  while (!(await options.ready(output))) {
    if (!alive()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${options.logFile}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`${options.name} was not ready within ${(options.readyTimeoutMs ?? 180_000) / 1000}s; see ${options.logFile}`);
    }
    await sleep(100);
  }
  const signal = (name: NodeJS.Signals) => alive() && process.kill(-child.pid!, name);
  return {
    name: options.name,
    pid: child.pid!,
    child,
    logFile: options.logFile,
    rssMiB: () => readRssMiB(child.pid!),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async stop() {
      if (!alive()) return;
      // A paused process would never see the SIGTERM.
      signal('SIGCONT');
      signal('SIGTERM');
      const force = setTimeout(() => signal('SIGKILL'), 30_000);
      await exited;
      clearTimeout(force);
      log.end();
    },
  };
}

/** VmRSS from /proc/<pid>/status, in MiB. */
export function readRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

/** The API answers /readyz with 200 once its database and Temporal answer. */
export function apiReady(apiUrl: string) {
  return () => fetch(`${apiUrl}/readyz`).then((response) => response.ok, () => false);
}
