import type { Client } from '@temporalio/client';
import { loadActionSecret } from '../records/mail/action-tokens';
import { contractsToSchedule } from '../activities/supplier-review';
import type { Db } from '../prisma/database';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { temporalTargetFromEnv } from '../temporal-config/connection';
import { registerSchedules } from '../temporal-config/schedules';
import { publicUrl, scheduleCrons, type Env } from './env';

/** What `npm run api` and `npm run worker` both need before they serve: a migrated database, the shared signing key, the Temporal target. */
export async function openRuntime(env: Env) {
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await applyMigrations(db.adapterFactory);
  const actionSecret = await loadActionSecret(db.prisma, env.ACTION_LINK_SECRET, env.ITSM_LINK_MAX_DAYS);
  return { db, actionSecret, target: temporalTargetFromEnv(env) };
}

/** Registers the Schedules the configuration and the active contracts call for; returns the line to log. */
export async function registerConfiguredSchedules(temporal: Client, env: Env, taskQueue: string, prisma: Db): Promise<string> {
  const schedules = await registerSchedules(temporal, { taskQueue, trendDetectionEvery: env.TREND_DETECTION_EVERY, cron: scheduleCrons(env), contracts: await contractsToSchedule(prisma, publicUrl(env)) });
  return `schedules: created ${schedules.created.join(', ') || 'none'}; up to date ${schedules.updated.join(', ') || 'none'}`;
}
