// `npm run api`: the API alone, against TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL (scale configuration).
import { createMailer } from '../records/mail/mailer';
import { stepSandboxFromEnv } from '../records/deployment/step-sandbox';
import { ConfigError, describeEnv, edgeSettings, loadEnv, publicUrl, smtpUrl, temporalUiUrl } from '../config/env';
import { createLogger } from '../config/logger';
import { openRuntime } from '../config/runtime';
import { connectClient } from '../temporal-config/connection';
import { bootstrapAdministrator } from './accounts';
import { createApp } from './app';
import { startInboundMail } from './mail-in/start';
import { identityProviderFromEnv } from './identity-provider';

async function main() {
  const env = loadEnv();
  const stepSandbox = stepSandboxFromEnv(env);
  const logger = createLogger(env, 'itsm-api');
  for (const line of describeEnv(env)) logger.info(line);
  const { db, actionSecret, target } = await openRuntime(env);
  const administrator = await bootstrapAdministrator(db.prisma, { token: env.ITSM_ADMIN_TOKEN, email: env.ITSM_ADMIN_EMAIL });
  logger[administrator.level](administrator.message);
  const temporal = await connectClient(target);
  const mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
  const app = createApp({ prisma: db.prisma, temporal, mailer, logger, namespace: target.namespace, taskQueue: target.taskQueue, actionSecret, publicUrl: publicUrl(env), temporalUiUrl: temporalUiUrl(env), stepSandbox, feeds: { internalHosts: env.CALENDAR_FEED_INTERNAL_HOSTS }, edge: edgeSettings(env), identityProvider: identityProviderFromEnv(env) });
  const server = app.listen(env.PORT, () => logger.info(`API listening on :${env.PORT}`));
  const inbound = await startInboundMail({ prisma: db.prisma, temporal, taskQueue: target.taskQueue, publicUrl: publicUrl(env), mailer }, env);
  if (inbound.smtpUrl) logger.info(`inbound mail: SMTP listener on ${inbound.smtpUrl}`);
  const stop = () => {
    server.close(async () => {
      await inbound.stop();
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
