// `npm run worker`: the Temporal worker alone (scale configuration). The SDK stops it on SIGINT/SIGTERM.
import { createMailer } from '../activities/mailer';
import { ConfigError, describeEnv, loadEnv, publicUrl, smtpUrl } from '../config/env';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { connectWorker, temporalTargetFromEnv } from '../temporal-config/connection';
import { createItsmWorker } from './worker';

async function main() {
  const env = loadEnv();
  for (const line of describeEnv(env)) console.log(line);
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await applyMigrations(db.adapterFactory);
  const target = temporalTargetFromEnv(env);
  const connection = await connectWorker(target);
  const mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
  const worker = await createItsmWorker({ connection, namespace: target.namespace, taskQueue: target.taskQueue, deps: { prisma: db.prisma, mailer, publicUrl: publicUrl(env) } });
  console.log(`worker polling task queue ${target.taskQueue}`);
  try {
    await worker.run();
  } finally {
    mailer.close();
    await connection.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
