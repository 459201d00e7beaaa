import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Database } from '../../prisma/database';
import { databaseUrl, withAdminClient } from './postgres';

export type DatabaseKind = 'pglite' | 'postgresql';

/** Both databases when PostgreSQL is there (always in CI); PGlite alone on a machine without it. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.ITSM_TEST_PG_TEMPLATE ? ['pglite', 'postgresql'] : ['pglite'];
}

let counter = 0;

/** A migrated database of its own for one suite, cloned from the run's template and removed afterwards. */
export async function freshDatabase(kind: DatabaseKind): Promise<Database> {
  const runDir = process.env.ITSM_TEST_RUN_DIR!;
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(path.join(runDir, `pglite-${process.pid}-`));
    cpSync(process.env.ITSM_TEST_PGLITE_TEMPLATE!, dataDir, { recursive: true });
    const db = await openDatabase({ dataDir });
    return { ...db, close: async () => { await db.close(); rmSync(dataDir, { recursive: true, force: true }); } };
  }
  const name = `itsm_test_${process.env.ITSM_TEST_RUN_ID}_${process.pid}_${++counter}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${process.env.ITSM_TEST_PG_TEMPLATE}"`));
  const db = await openDatabase({ url: databaseUrl(name), dataDir: runDir });
  return {
    ...db,
    close: async () => {
      await db.close();
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
