// `npm run worker`: the Temporal worker alone (scale configuration). The SDK stops it on SIGINT/SIGTERM.
import { Runtime } from '@temporalio/worker';
import { createMailer } from '../records/mail/mailer';
import { stepSandboxFromEnv } from '../records/deployment/step-sandbox';
import { ConfigError, describeEnv, loadEnv, publicUrl, smtpUrl } from '../config/env';
import { createLogger, installOperatorLog } from '../config/logger';
import { openRuntime, registerConfiguredSchedules } from '../config/runtime';
import { connectClient, connectWorker } from '../temporal-config/connection';
import { runtimeLogger } from './runtime-logger';
import { sdkMetricsTelemetry, startWorkerMetrics } from './metrics';
import { ensureWorkflowBundle } from './bundle';
import { mailTaskQueue } from '../domain/task-queues';
import { createItsmWorker, workerTuning } from './worker';

async function main() {
  const env = loadEnv();
  const stepSandbox = stepSandboxFromEnv(env);
  const logger = createLogger(env, 'itsm-worker');
  installOperatorLog(logger);
  Runtime.install({ logger: runtimeLogger(logger), ...sdkMetricsTelemetry(env) });
  for (const line of describeEnv(env)) console.log(line);
  const { db, actionSecret, target } = await openRuntime(env);
  const connection = await connectWorker(target);
  const temporal = await connectClient(target);
  console.log(await registerConfiguredSchedules(temporal, env, target.taskQueue, db.prisma));
  const mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
  const deps = { prisma: db.prisma, mailer, publicUrl: publicUrl(env), actionSecret, temporal, stepSandbox, feeds: { internalHosts: env.CALENDAR_FEED_INTERNAL_HOSTS } };
  const workflowBundle = await ensureWorkflowBundle(console.log);
  const worker = await createItsmWorker({ connection, namespace: target.namespace, taskQueue: target.taskQueue, deps, workflowBundle, tuning: workerTuning(env) });
  const metrics = await startWorkerMetrics(env);
  console.log(`worker polling task queue ${target.taskQueue} (mail: ${mailTaskQueue(target.taskQueue)})`);
  try {
    await worker.run();
  } finally {
    await metrics?.close();
    mailer.close();
    await temporal.connection.close();
    await connection.close();
    await db.close();
    logger.info('worker stopped');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
