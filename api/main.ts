// `npm run api`: the API alone, against TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL (scale configuration).
import { createMailer } from '../activities/mailer';
import { ConfigError, describeEnv, loadEnv, smtpUrl } from '../config/env';
import { createLogger } from '../config/logger';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { connectClient, temporalTargetFromEnv } from '../temporal-config/connection';
import { createApp } from './app';

async function main() {
  const env = loadEnv();
  const logger = createLogger(env, 'itsm-api');
  for (const line of describeEnv(env)) logger.info(line);
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await applyMigrations(db.adapterFactory);
  const target = temporalTargetFromEnv(env);
  const temporal = await connectClient(target);
  const mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
  const app = createApp({ prisma: db.prisma, temporal, mailer, logger, namespace: target.namespace, taskQueue: target.taskQueue });
  const server = app.listen(env.PORT, () => logger.info(`API listening on :${env.PORT}`));
  const stop = () => {
    server.close(async () => {
      await temporal.connection.close();
      mailer.close();
      await db.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
