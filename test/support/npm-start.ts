import { spawn } from 'node:child_process';
import path from 'node:path';
import { eventually } from './harness';

const ROOT = path.resolve(__dirname, '../..');

export interface NpmStart {
  output(): string;
  /** A URL from the table `npm start` prints once ready, by its label ('API', 'Temporal UI', 'Mail inbox'). */
  url(label: string): string;
  /** Ctrl-C in a terminal: SIGINT to the whole group; resolves once every process writing to it is gone. */
  stop(): Promise<void>;
}

/**
 * `npm start` exactly as a person runs it (in its own process group), ready once it has printed its whole banner
 * (URLs and tokens end with the Ctrl-C hint). A stack that never gets there is stopped before the error is thrown,
 * so a failed start leaves no Temporal server behind.
 */
export async function npmStart(env: Record<string, string>, readyWithinMs = 240_000): Promise<NpmStart> {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started: NpmStart = {
    output: () => output,
    url(label) {
      const row = output.split('\n').find((line) => line.trimStart().startsWith(`${label} `));
      const url = row?.match(/https?:\/\/\S+/)?.[0];
      if (!url) throw new Error(`npm start printed no ${label} URL:\n${output}`);
      return url;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        process.kill(-child.pid!, 'SIGINT');
      }),
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      if (!output.includes('Ctrl-C stops everything')) throw new Error(`not ready yet:\n${output.slice(-2000)}`);
    }, readyWithinMs);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}
