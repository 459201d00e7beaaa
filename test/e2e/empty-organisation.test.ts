import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { dayOne } from '../support/day-one';
import { eventually } from '../support/harness';
import { embeddedStackVars, freePort } from '../support/ports';
import { databaseUrl, withAdminClient } from '../support/postgres';
import { describeOnPostgres } from '../support/worker-process';

const ROOT = path.resolve(__dirname, '../..');
const tsx = (script: string, args: string[], env: Record<string, string>) => spawn(process.execPath, [require.resolve('tsx/cli'), script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm run admin -- create-user …`: the token is the only thing on stdout. */
function bootstrapAdmin(env: Record<string, string>, email: string): string {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/admin.ts', 'create-user', '--email', email, '--name', 'First Admin', '--role', 'admin'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`admin create-user failed (${result.status}): ${result.stderr}`);
  const token = result.stdout.trim();
  expect(token).toMatch(/^itsm_\S+$/);
  return token;
}

/** A process that is ready once `marker` appears in its output; stopped by SIGTERM to its group. */
async function run(child: ChildProcess, marker: string) {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
    if (!output.includes(marker)) throw new Error(`not ready yet:\n${output.slice(-1500)}`);
  }, 240_000);
  return {
    output: () => output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('close', () => resolve());
      process.kill(-child.pid!, child.spawnfile === 'npm' ? 'SIGINT' : 'SIGTERM');
    }),
  };
}

/** Every credential the walkthrough used, looked for in a process's whole log: none may be there. */
function expectNoCredentials(log: string, tokens: string[]) {
  expect(log).toMatch(/"url":"\/api\/incidents"/);
  for (const token of tokens) expect(log).not.toContain(token);
}

describe('day one for an organisation that starts empty', () => {
  it('embedded: the bootstrap command, then ITSM_DEMO_DATA=false npm start and the API alone', async () => {
    // The embedded stack logs requests at debug (so a terminal is not flooded); at debug every request is in the
    // log, so the check below reads everything an operator's log could hold.
    const env: Record<string, string> = { ...(await embeddedStackVars(process.env.ITSM_TEST_RUN_DIR!, 'empty-')), ITSM_DEMO_DATA: 'false', LOG_LEVEL: 'debug' };
    // PGlite belongs to one process at a time: the bootstrap runs before the stack starts.
    const token = bootstrapAdmin(env, 'it@example.org');
    const stack = await run(spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), 'Ready.');
    try {
      expect(stack.output()).not.toContain(token);
      expect(stack.output()).not.toContain('Demo tokens');
      const tokens = await dayOne(`http://127.0.0.1:${env.PORT}`, token, `http://127.0.0.1:${env.MAIL_UI_PORT}`, 'embedded');
      expectNoCredentials(stack.output(), tokens);
    } finally {
      await stack.stop();
    }
  }, 400_000);

  describeOnPostgres('scale configuration', () => {
    it('npm run api and npm run worker on PostgreSQL and the shared Temporal server, bootstrapped with npm run admin', async () => {
      const name = `itsm_test_${process.env.ITSM_TEST_RUN_ID}_empty_org`;
      await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
      const port = await freePort();
      const env = {
        DATABASE_URL: databaseUrl(name),
        TEMPORAL_ADDRESS: process.env.ITSM_TEST_TEMPORAL_ADDRESS!,
        TEMPORAL_TASK_QUEUE: `itsm-empty-org-${process.pid}`,
        SMTP_URL: process.env.ITSM_TEST_SMTP_URL!,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'scale-')),
        ITSM_DEMO_DATA: 'false',
        LOG_LEVEL: 'info',
      };
      const api = await run(tsx('api/main.ts', [], env), 'API listening');
      const worker = await run(tsx('workers/main.ts', [], env), 'worker polling');
      try {
        // Against PostgreSQL the bootstrap can run beside the API.
        const token = bootstrapAdmin(env, 'it@example.net');
        const tokens = await dayOne(`http://127.0.0.1:${port}`, token, process.env.ITSM_TEST_MAIL_INBOX!, 'scale');
        expectNoCredentials(api.output(), tokens);
        for (const credential of tokens) expect(worker.output()).not.toContain(credential);
      } finally {
        await Promise.all([api.stop(), worker.stop()]);
        await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      }
    }, 400_000);
  });
});
