import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import supertest from 'supertest';
import { createMailer, type Mailer } from '../../records/mail/mailer';
import { stepSandboxFromEnv } from '../../records/deployment/step-sandbox';
import { loadActionSecret } from '../../records/mail/action-tokens';
import { createApp } from '../../api/app';
import { loadEdgeSettings } from '../../config/env';
import type { ApiDeps } from '../../api/deps';
import type { IdentityProvider } from '../../api/identity-provider';
import { generateToken } from '../../api/tokens';
import type { Database } from '../../prisma/database';
import { seedDemoData, setUserToken } from '../../prisma/seed';
import { createItsmWorker, type ItsmWorker } from '../../workers/worker';
import { freshDatabase, type DatabaseKind } from './databases';

export type DemoRole = 'admin' | 'agent' | 'agent2' | 'manager' | 'requester' | 'cab1' | 'cab2' | 'auditor';

export interface Harness {
  db: Database;
  temporal: Client;
  taskQueue: string;
  worker: ItsmWorker;
  mailer: Mailer;
  userIds: Record<DemoRole, string>;
  tokens: Record<DemoRole, string>;
  /** What the API was built from, for suites that build a variant of it. */
  apiDeps: ApiDeps;
  /**
   * Sends `requests` while no worker polls, then starts one: the Updates they carry reach their workflow in one
   * activation, the hardest case for handlers that must not race.
   */
  together<T>(requests: () => PromiseLike<T>[]): Promise<T[]>;
  /** The API on a real port (action links in mail point here). */
  baseUrl: string;
  http: ReturnType<typeof supertest>;
  as(role: DemoRole): { Authorization: string };
  close(): Promise<void>;
}

let runtimeInstalled = false;
let suiteCounter = 0;

/** A suite's own database, demo data, worker (own task queue) and API, on the run's shared Temporal server. */
/**
 * `inProcessWorker: false` leaves the task queue to a worker the test runs itself (e.g. in a process it kills).
 * `demoData: false` starts an empty organisation (no users, no tokens); `identityProvider` configures OIDC sign-in
 * for the API at the URL it will listen on.
 */
export async function startHarness(kind: DatabaseKind, options: { inProcessWorker?: boolean; demoData?: boolean; identityProvider?: (baseUrl: string) => Promise<IdentityProvider> } = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const db = await freshDatabase(kind);
  const userIds = (options.demoData === false ? {} : await seedDemoData(db.prisma)) as Record<DemoRole, string>;
  const tokens = {} as Record<DemoRole, string>;
  for (const role of Object.keys(userIds) as DemoRole[]) {
    tokens[role] = generateToken();
    await setUserToken(db.prisma, userIds[role], 'test', tokens[role]);
  }
  const address = process.env.ITSM_TEST_TEMPORAL_ADDRESS!;
  const temporal = new Client({ connection: await Connection.connect({ address }) });
  const taskQueue = `itsm-test-${process.pid}-${++suiteCounter}-${Date.now().toString(36)}`;
  const workerConnection = await NativeConnection.connect({ address });
  const mailer = createMailer(process.env.ITSM_TEST_SMTP_URL!, 'ITSM test <itsm@test.local>');
  const actionSecret = await loadActionSecret(db.prisma);
  // The suites' databases live in the run directory: it stands for DATA_DIR, and steps run outside it.
  const stepSandbox = stepSandboxFromEnv({ DATA_DIR: process.env.ITSM_TEST_RUN_DIR!, ITSM_STEP_WORKDIR: undefined });
  // The suites serve their holiday feeds from loopback, as an intranet calendar server would be listed.
  const feeds = { internalHosts: ['127.0.0.1'] };
  // A real listening server: links in mail point at it, so a browser can open them.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const startWorker = () =>
    createItsmWorker({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: options.inProcessWorker === false ? `${taskQueue}-unused` : taskQueue,
      deps: { prisma: db.prisma, mailer, publicUrl: baseUrl, actionSecret, temporal, stepSandbox, feeds },
      workflowBundle: { code: readFileSync(process.env.ITSM_TEST_WORKFLOW_BUNDLE!, 'utf8') },
    });
  let worker = await startWorker();
  let workerRun = worker.run();
  const apiDeps: ApiDeps = { prisma: db.prisma, temporal, mailer, taskQueue, namespace: 'default', logger: pino({ level: 'error' }), actionSecret, schedulePrefix: `test-${taskQueue}`, publicUrl: baseUrl, stepSandbox, feeds, edge: loadEdgeSettings(process.env), identityProvider: await options.identityProvider?.(baseUrl) };
  const app = createApp(apiDeps);
  server.on('request', app);
  return {
    db,
    temporal,
    taskQueue,
    get worker() {
      return worker;
    },
    mailer,
    userIds,
    tokens,
    apiDeps,
    baseUrl,
    http: supertest(app),
    as: (role) => ({ Authorization: `Bearer ${tokens[role]}` }),
    async together(requests) {
      worker.shutdown();
      await workerRun;
      const all = Promise.all(requests());
      // Long enough for both requests to reach the server and be admitted before anyone can take them.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      worker = await startWorker();
      workerRun = worker.run();
      return all;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await temporal.connection.close();
      mailer.close();
      await db.close();
    },
  };
}

/** Polls until `check` stops throwing; for effects that happen asynchronously in a worker. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
