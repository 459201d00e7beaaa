import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { createMailer, type Mailer } from '../records/mail/mailer';
import { stepSandboxFromEnv } from '../records/deployment/step-sandbox';
import { bootstrapAdministrator } from '../api/accounts';
import { createApp } from '../api/app';
import { identityProviderFromEnv } from '../api/identity-provider';
import { edgeSettings, metricsUrl, publicUrl, smtpUrl, type Env } from '../config/env';
import { createLogger, installOperatorLog } from '../config/logger';
import { openDatabase, type Database } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { provisionDemoTokens, seedDemoData } from '../prisma/seed';
import { provisionTemporalCli } from '../temporal-config/cli';
import { connectClient, connectWorker, temporalTargetFromEnv } from '../temporal-config/connection';
import { startDevServer, type DevServer } from '../temporal-config/dev-server';
import { runtimeLogger } from '../workers/runtime-logger';
import { sdkMetricsTelemetry, startWorkerMetrics } from '../workers/metrics';
import { ensureWorkflowBundle } from '../workers/bundle';
import { mailTaskQueue } from '../domain/task-queues';
import { createItsmWorker, workerTuning } from '../workers/worker';
import { loadActionSecret } from '../records/mail/action-tokens';
import { registerConfiguredSchedules } from '../config/runtime';
import { startMailCatcher, type MailCatcher } from './mail-catcher';
import { startInboundMail } from '../api/mail-in/start';

export interface Stack {
  apiUrl: string;
  temporalUiUrl?: string;
  mailInboxUrl?: string;
  /** Where inbound mail is taken over SMTP (MAIL_IN_SMTP_PORT); undefined when turned off. */
  inboundSmtpUrl?: string;
  /** Prometheus endpoints: the API's, the worker's and the Temporal SDK's (undefined when turned off). */
  metricsUrls: { api: string; worker?: string; sdk?: string };
  /** Demo tokens the product generated, to print; never one the operator chose (ITSM_ADMIN_TOKEN). */
  tokens?: Record<string, string>;
  db: Database;
  temporal: Client;
  stop(): Promise<void>;
}

// A child left behind by a process that was SIGKILLed would hold its ports; its pid file lets the next start
// clear it instead of failing on "address in use".
// The pid may have been reused since, so the process is killed only if it is still what the file says it was.
function killStale(pidFile: string, commandPart: string) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(commandPart)) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone, or no /proc on this system
  }
  rmSync(pidFile, { force: true });
}

function superviseChild(child: { process: ChildProcess; stop(): Promise<void> }, pidFile: string, cleanups: (() => Promise<void> | void)[]) {
  writeFileSync(pidFile, String(child.process.pid));
  // Children are detached from the terminal, so an unexpected exit of this process must take them along.
  const killOnExit = () => child.process.kill('SIGKILL');
  process.once('exit', killOnExit);
  cleanups.push(async () => {
    process.off('exit', killOnExit);
    await child.stop();
    rmSync(pidFile, { force: true });
  });
}

/**
 * The whole product in one process: the embedded Temporal dev server and mail catcher as children (unless
 * TEMPORAL_ADDRESS / SMTP_URL point elsewhere), PGlite or PostgreSQL, migrations, demo data, worker, API and
 * inbound mail (SMTP listener, IMAP mailbox).
 */
export async function startStack(env: Env, log: (line: string) => void = console.log): Promise<Stack> {
  // The stack stops its parts in order itself; the SDK's default would stop the worker on the first Ctrl-C.
  // The SDK's INFO lines (webpack statistics among them) would bury the start-up banner.
  const logger = createLogger(env, 'itsm');
  installOperatorLog(logger);
  const stepSandbox = stepSandboxFromEnv(env);
  const feeds = { internalHosts: env.CALENDAR_FEED_INTERNAL_HOSTS };
  Runtime.install({ shutdownSignals: [], logger: runtimeLogger(logger.child({ component: 'temporal-sdk' }), env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'), ...sdkMetricsTelemetry(env) });
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`while stopping: ${(error as Error).message}`);
      }
    }
  };
  try {
    let devServer: DevServer | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      const cli = await provisionTemporalCli();
      const pidFile = path.join(env.DATA_DIR, 'temporal.pid');
      killStale(pidFile, 'start-dev');
      log(`starting Temporal dev server (${cli.path}) ...`);
      devServer = await startDevServer({
        binary: cli.path,
        dataDir: env.DATA_DIR,
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        logLevel: env.TEMPORAL_LOG_LEVEL,
      });
      superviseChild(devServer, pidFile, cleanups);
    }
    let catcher: MailCatcher | undefined;
    if (!env.SMTP_URL) {
      const pidFile = path.join(env.DATA_DIR, 'maildev.pid');
      killStale(pidFile, 'maildev');
      catcher = await startMailCatcher({ smtpPort: env.SMTP_PORT, uiPort: env.MAIL_UI_PORT, mailDir: path.join(env.DATA_DIR, 'mail') });
      superviseChild(catcher, pidFile, cleanups);
    }
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
    cleanups.push(() => db.close());
    const applied = await applyMigrations(db.adapterFactory);
    log(applied.length ? `database: applied ${applied.join(', ')}` : 'database: schema up to date');
    let tokens: Record<string, string> | undefined;
    if (env.ITSM_DEMO_DATA) {
      const userIds = await seedDemoData(db.prisma);
      tokens = await provisionDemoTokens(db.prisma, env.DATA_DIR, userIds, env.ITSM_ADMIN_TOKEN);
    } else {
      log((await bootstrapAdministrator(db.prisma, { token: env.ITSM_ADMIN_TOKEN, email: env.ITSM_ADMIN_EMAIL })).message);
    }
    const actionSecret = await loadActionSecret(db.prisma, env.ACTION_LINK_SECRET, env.ITSM_LINK_MAX_DAYS);
    const target = temporalTargetFromEnv(env, devServer?.address);
    const temporal = await connectClient(target);
    cleanups.push(() => temporal.connection.close());
    const mailer: Mailer = createMailer(smtpUrl(env), env.MAIL_FROM);
    cleanups.push(() => mailer.close());

    const workerConnection = await connectWorker(target);
    cleanups.push(() => workerConnection.close());
    const workflowBundle = await ensureWorkflowBundle(log);
    log('starting the worker ...');
    const apiUrl = publicUrl(env);
    const worker = await createItsmWorker({
      connection: workerConnection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      deps: { prisma: db.prisma, mailer, publicUrl: apiUrl, actionSecret, temporal, stepSandbox, feeds },
      workflowBundle,
      tuning: workerTuning(env),
    });
    const workerRun = worker.run();
    logger.info(`worker started: task queue ${target.taskQueue} (mail: ${mailTaskQueue(target.taskQueue)})`);
    log(await registerConfiguredSchedules(temporal, env, target.taskQueue, db.prisma));
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      logger.info('worker stopped');
    });
    const workerMetricsServer = await startWorkerMetrics(env);
    if (workerMetricsServer) cleanups.push(() => workerMetricsServer.close());

    // With an external Temporal, TEMPORAL_UI_URL says where its UI is; otherwise the embedded one's.
    const uiUrl = env.TEMPORAL_UI_URL ?? devServer?.uiUrl;
    const app = createApp({
      prisma: db.prisma, temporal, mailer, logger, requestLogLevel: 'debug', namespace: target.namespace, taskQueue: target.taskQueue, actionSecret,
      publicUrl: apiUrl, temporalUiUrl: uiUrl, stepSandbox, feeds, edge: edgeSettings(env), identityProvider: identityProviderFromEnv(env),
    });
    const server: Server = await new Promise((resolve, reject) => {
      const listening = app.listen(env.PORT, '127.0.0.1', () => resolve(listening)).on('error', reject);
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Idle keep-alive connections would otherwise hold the close open until they time out.
          server.closeIdleConnections();
        }),
    );
    const inbound = await startInboundMail({ prisma: db.prisma, temporal, taskQueue: target.taskQueue, publicUrl: apiUrl, mailer }, env);
    cleanups.push(() => inbound.stop());
    return {
      apiUrl,
      temporalUiUrl: uiUrl,
      mailInboxUrl: catcher?.inboxUrl,
      inboundSmtpUrl: inbound.smtpUrl,
      metricsUrls: { api: `${apiUrl}/metrics`, worker: metricsUrl(env, env.WORKER_METRICS_PORT), sdk: metricsUrl(env, env.TEMPORAL_SDK_METRICS_PORT) },
      tokens,
      db,
      temporal,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
