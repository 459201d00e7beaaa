import { rmSync } from 'node:fs';
import { withAdminClient } from './postgres';

export default async function globalTeardown() {
  const stoppables = (globalThis as { __itsmStoppables?: { stop(): Promise<void> }[] }).__itsmStoppables ?? [];
  await Promise.all(stoppables.map((s) => s.stop()));
  const runId = process.env.ITSM_TEST_RUN_ID;
  if (runId && process.env.ITSM_TEST_PG_TEMPLATE) {
    await withAdminClient(async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`itsm_test_${runId}_%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  if (process.env.ITSM_TEST_RUN_DIR) rmSync(process.env.ITSM_TEST_RUN_DIR, { recursive: true, force: true });
}
