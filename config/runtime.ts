import { loadActionSecret } from '../activities/action-tokens';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { temporalTargetFromEnv } from '../temporal-config/connection';
import type { Env } from './env';

/** What `npm run api` and `npm run worker` both need before they serve: a migrated database, the shared signing key, the Temporal target. */
export async function openRuntime(env: Env) {
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await applyMigrations(db.adapterFactory);
  const actionSecret = await loadActionSecret(db.prisma, env.ACTION_LINK_SECRET);
  return { db, actionSecret, target: temporalTargetFromEnv(env) };
}
