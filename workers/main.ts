// `npm run worker`: the Temporal worker alone (scale configuration). The SDK stops it on SIGINT/SIGTERM.
import { createMailer } from '../activities/mailer';
import { contractsToSchedule } from '../activities/supplier-review';
import { ConfigError, describeEnv, loadEnv, publicUrl, scheduleCrons, smtpUrl } from '../config/env';
import { openRuntime } from '../config/runtime';
import { connectClient, connectWorker } from '../temporal-config/connection';
import { registerSchedules } from '../temporal-config/schedules';
import { createItsmWorker } from './worker';

async function main() {
  const env = loadEnv();
  for (const line of describeEnv(env)) console.log(line);
  const { db, actionSecret, target } = await openRuntime(env);
  const connection = await connectWorker(target);
  const temporal = await connectClient(target);
  const schedules = await registerSchedules(temporal, { taskQueue: target.taskQueue, trendDetectionEvery: env.TREND_DETECTION_EVERY, cron: scheduleCrons(env), contracts: await contractsToSchedule(db.prisma) });
  console.log(`schedules: created ${schedules.created.join(', ') || 'none'}; up to date ${schedules.updated.join(', ') || 'none'}`);
  const mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
  const deps = { prisma: db.prisma, mailer, publicUrl: publicUrl(env), actionSecret, temporal };
  const worker = await createItsmWorker({ connection, namespace: target.namespace, taskQueue: target.taskQueue, deps });
  console.log(`worker polling task queue ${target.taskQueue}`);
  try {
    await worker.run();
  } finally {
    mailer.close();
    await temporal.connection.close();
    await connection.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
