import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { databaseKinds } from './databases';
import type { Harness } from './harness';
import { databaseUrl } from './postgres';

const ROOT = path.resolve(__dirname, '../..');

/** Two processes cannot share one PGlite, so a test's worker in another process and the test meet in PostgreSQL. */
export const describeOnPostgres = databaseKinds().includes('postgresql') ? describe : describe.skip;

/** The PostgreSQL database a harness runs on, for a worker in another process to share it. */
export async function harnessDatabaseName(h: Harness): Promise<string> {
  return (await h.db.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`)[0].name;
}

/** `npm run worker` itself on the harness's task queue, in its own process group so that SIGKILL takes it whole. */
export function startWorkerProcess(h: Harness, databaseName: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'workers/main.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(databaseName),
      TEMPORAL_ADDRESS: process.env.ITSM_TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      SMTP_URL: process.env.ITSM_TEST_SMTP_URL,
      DATA_DIR: process.env.ITSM_TEST_RUN_DIR,
      PUBLIC_URL: h.baseUrl,
      LOG_LEVEL: 'error',
    },
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker polling') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

/** SIGKILL to the worker's whole process group (the commands it runs included), as a crashed machine would. */
export function killWorkerProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });
}
