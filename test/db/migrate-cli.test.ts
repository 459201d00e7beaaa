import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseUrl, withAdminClient } from '../support/postgres';
import { databaseKinds } from '../support/databases';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

async function npmRun(script: string, env: Record<string, string>, args: string[] = []) {
  const { stdout } = await run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, env: { ...process.env, ...env } });
  return stdout.trim();
}

describe.each(databaseKinds())('npm run db:migrate / db:diff on %s', (kind) => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { DATA_DIR: mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'migrate-')) };
    if (kind === 'postgresql') {
      const name = `itsm_test_${process.env.ITSM_TEST_RUN_ID}_migrate`;
      await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
      env.DATABASE_URL = databaseUrl(name);
    }
  });

  it('applies every migration once and records it the way prisma migrate deploy does', async () => {
    expect(await npmRun('db:migrate', env)).toMatch(/^applied \d+ migration\(s\): \d{14}_init/);
    expect(await npmRun('db:migrate', env)).toBe('database is up to date');
  });

  it('db:diff finds schema.prisma and the committed migrations in agreement', async () => {
    expect(await npmRun('db:diff', env, ['--name', 'nothing_to_do'])).toBe('schema.prisma matches the migrations: nothing to write');
  });

  it('db:diff refuses a name that is not snake_case', async () => {
    await expect(npmRun('db:diff', env, ['--name', 'Bad Name'])).rejects.toThrow(/snake_case/);
  });

  if (kind === 'postgresql') {
    it('leaves the _prisma_migrations table in Prisma\'s own shape', async () => {
      const rows = await withAdminClient(async () => {
        const { Client } = await import('pg');
        const client = new Client({ connectionString: env.DATABASE_URL });
        await client.connect();
        try {
          return (await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name')).rows;
        } finally {
          await client.end();
        }
      });
      expect(rows[0]).toMatchObject({ migration_name: expect.stringMatching(/_init$/), checksum: expect.stringMatching(/^[0-9a-f]{64}$/), applied_steps_count: 1 });
      expect(rows[0].finished_at).toBeInstanceOf(Date);
    });
  }
});
