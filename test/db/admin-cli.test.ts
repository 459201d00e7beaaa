import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseKinds } from '../support/databases';
import { freePort } from '../support/ports';
import { databaseUrl, withAdminClient } from '../support/postgres';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX = require.resolve('tsx/cli');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- …` itself: the script, in its own process, on the database the environment names. */
async function admin(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TSX, 'scripts/admin.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

interface Api {
  url: string;
  output(): string;
  stop(): Promise<string>;
}

/** `npm run api` itself (the scale configuration's API process) on the test run's Temporal server and SMTP catcher. */
async function startApi(env: Record<string, string>): Promise<Api> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [TSX, 'api/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), TEMPORAL_ADDRESS: process.env.ITSM_TEST_TEMPORAL_ADDRESS, SMTP_URL: process.env.ITSM_TEST_SMTP_URL, LOG_LEVEL: 'info' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`npm run api did not start:\n${output}`)), 120_000);
    child.stdout!.on('data', () => output.includes('API listening') && (clearTimeout(deadline), resolve()));
    child.once('exit', (code) => (clearTimeout(deadline), reject(new Error(`npm run api exited with ${code}:\n${output}`))));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(output));
        child.kill('SIGTERM');
      }),
  };
}

const get = async (url: string, token: string) => {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { items: { email?: string; label?: string; status?: string }[] } };
};

describe.each(databaseKinds())('bootstrap without demo data: ITSM_ADMIN_TOKEN and npm run admin on an empty %s database', (kind) => {
  let env: Record<string, string>;
  const operatorToken = `operator-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    env = { DATA_DIR: mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'admin-cli-')), ITSM_DEMO_DATA: 'false' };
    if (kind === 'postgresql') {
      const name = `itsm_test_${process.env.ITSM_TEST_RUN_ID}_admin_cli`;
      await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
      env.DATABASE_URL = databaseUrl(name);
    }
  });

  it('npm run api with ITSM_ADMIN_TOKEN creates the first administrator holding it, and never prints it', async () => {
    const api = await startApi({ ...env, ITSM_ADMIN_TOKEN: operatorToken, ITSM_ADMIN_EMAIL: 'Ops@Example.com' });
    let output: string;
    try {
      const users = await get(`${api.url}/api/users`, operatorToken);
      expect(users.status).toBe(200);
      expect(users.body.items.map((u) => u.email)).toEqual(['ops@example.com']);
      const tokens = await get(`${api.url}/api/tokens`, operatorToken);
      expect(tokens.body.items).toMatchObject([{ label: 'ITSM_ADMIN_TOKEN', status: 'active' }]);
    } finally {
      output = await api.stop();
    }
    expect(output).toContain('created administrator ops@example.com, holding ITSM_ADMIN_TOKEN');
    expect(output).not.toContain(operatorToken);
  });

  it('once an administrator exists, a different ITSM_ADMIN_TOKEN is ignored with a warning and grants nothing', async () => {
    const other = `operator-${randomBytes(12).toString('hex')}`;
    const api = await startApi({ ...env, ITSM_ADMIN_TOKEN: other });
    let output: string;
    try {
      expect((await get(`${api.url}/api/tokens`, other)).status).toBe(401);
      expect((await get(`${api.url}/api/tokens`, operatorToken)).status).toBe(200);
      if (kind === 'pglite') {
        // PGlite is one process's: the CLI refuses to open it under a running API rather than corrupt it.
        const refused = await admin(env, 'list-users');
        expect([refused.code, refused.stdout]).toEqual([1, '']);
        expect(refused.stderr).toMatch(/the PGlite database in .* is in use by process \d+ .*stop that first, or use PostgreSQL/);
      }
    } finally {
      output = await api.stop();
    }
    expect(output).toMatch(/"level":40,.*ITSM_ADMIN_TOKEN is ignored: it only creates the first administrator, and there is one/);
    expect(output).not.toContain(other);
  });

  it('create-user prints a new token once, alone on stdout, and it works against the API', async () => {
    const created = await admin(env, 'create-user', '--email', 'Mei.Chen@Example.com', '--name', 'Mei Chen', '--role', 'agent', '--role', 'manager', '--locale', 'zh-CN', '--time-zone', 'Asia/Shanghai');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(created.stdout).toMatch(/^itsm_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(/created mei\.chen@example\.com \(agent, manager\), id [0-9a-f-]{36}/);
    expect(created.stderr).toContain('shown only this once');
    expect(created.stderr).not.toContain(token);

    const issued = await admin(env, 'issue-token', '--email', 'mei.chen@example.com', '--label', 'ci', '--expires-in-days', '30');
    expect(issued.code).toBe(0);
    const second = issued.stdout.trim();
    expect(second).toMatch(/^itsm_[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(token);

    const api = await startApi(env);
    try {
      const users = await get(`${api.url}/api/users`, token);
      expect(users.status).toBe(200);
      expect(users.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ email: 'mei.chen@example.com', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['agent', 'manager'] })]));
      const tokens = await get(`${api.url}/api/tokens`, second);
      expect(tokens.body.items).toMatchObject([{ label: 'ci', status: 'active' }, { label: 'first token', status: 'active', expiresAt: null }]);
      const expiresAt = Date.parse((tokens.body.items[0] as { expiresAt: string }).expiresAt);
      expect(Math.abs(expiresAt - (Date.now() + 30 * 86_400_000))).toBeLessThan(120_000);
    } finally {
      await api.stop();
    }
  });

  it('list-users shows everyone with roles and active-token counts, and never a token', async () => {
    const listed = await admin(env, 'list-users');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ROLES\s+LOCALE\s+TIME ZONE\s+STATUS\s+ACTIVE TOKENS$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^mei\.chen@example\.com\s+Mei Chen\s+agent,manager\s+zh-CN\s+Asia\/Shanghai\s+active\s+2$/),
      expect.stringMatching(/^ops@example\.com\s+Administrator\s+admin\s+en\s+UTC\s+active\s+1$/),
    ]);
    expect(listed.stdout + listed.stderr).not.toMatch(/itsm_[A-Za-z0-9_-]{43}|operator-/);
  });

  it('refuses a taken address or an unknown person with exit code 1, and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['create-user', '--email', 'MEI.CHEN@example.com', '--name', 'Again', '--role', 'agent'], /another user already has the e-mail address mei\.chen@example\.com/],
      [['issue-token', '--email', 'nobody@example.com'], /no user nobody@example\.com/],
    ];
    for (const [args, message] of cases) {
      const outcome = await admin(env, ...args);
      expect([args.join(' '), outcome.code, outcome.stdout]).toEqual([args.join(' '), 1, '']);
      expect(outcome.stderr).toMatch(message);
    }
    const listed = await admin(env, 'list-users');
    expect(listed.stdout.trimEnd().split('\n')).toHaveLength(3);
  });
});

// Flags are checked before any database is opened, so these need none.
describe('npm run admin refuses bad flags with exit code 2, naming the flag', () => {
  it.each([
    [['create-user', '--email', 'x@example.com', '--name', 'X', '--role', 'agent', '--role', 'boss'], /--role "boss": must be one of requester, agent, manager, cab, auditor, admin/],
    [['create-user', '--email', 'x@example.com', '--name', 'X'], /--role: must name at least one role/],
    [['create-user', '--email', 'not-an-address', '--name', 'X', '--role', 'agent'], /--email: must be an e-mail address/],
    [['create-user', '--name', 'X', '--role', 'agent'], /--email is required/],
    [['create-user', '--email', 'x@example.com', '--name', 'X', '--role', 'agent', '--time-zone', 'Mars/Olympus'], /--time-zone: must be an IANA time zone/],
    [['create-user', '--email', 'x@example.com', '--name', 'X', '--role', 'agent', '--locale', 'fr'], /--locale: /],
    [['issue-token', '--email', 'x@example.com', '--expires-in-days', '0'], /--expires-in-days: must be at least 1/],
    [['issue-token', '--email', 'x@example.com', '--expires-in-days', 'soon'], /--expires-in-days "soon": must be a whole number of days/],
    [['issue-token', '--email', 'x@example.com', '--label', '  '], /--label: must not be empty/],
    [['issue-token', '--email', 'x@example.com', '--colour', 'red'], /Unknown option '--colour'/],
    [['delete-user', '--email', 'x@example.com'], /unknown command "delete-user"/],
  ])('%j', async (args, message) => {
    const outcome = await admin({ DATA_DIR: path.join(process.env.ITSM_TEST_RUN_DIR!, 'never-opened') }, ...args);
    expect([outcome.code, outcome.stdout]).toEqual([2, '']);
    expect(outcome.stderr).toMatch(message);
    expect(existsSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'never-opened'))).toBe(false);
  });
});
