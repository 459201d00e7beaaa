import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { environmentWithoutSecrets } from '../config/child-env';
import { openDatabase, type Database } from '../prisma/database';
import { startMailCatcher } from '../scripts/mail-catcher';
import { startCluster } from '../temporal-config/cluster/launcher';
import { setUpClusterSchema, type ClusterDatabase } from '../temporal-config/cluster/schema';
import { provisionClusterBinary, serverModuleDir } from '../temporal-config/server-binaries';
import { databaseUrl, withAdminClient } from '../test/support/postgres';
import { embeddedStackVars, freePort } from '../test/support/ports';
import { prepareBenchData, type BenchFixtures } from './fixtures';
import { apiReady, startProductProcess, type ProductProcess } from './processes';

export type DeploymentName = 'embedded' | 'cluster';

/** One configuration under test, started by the bench and measured from outside. */
export interface Deployment {
  name: DeploymentName;
  /** What runs where, for the report. */
  layout: string;
  apiUrl: string;
  temporalAddress: string;
  /** The worker's own Prometheus endpoint (SLA events written). */
  workerMetricsUrl: string;
  fixtures: BenchFixtures;
  /** The process whose RSS is the worker's (in the embedded stack also the API's and PGlite's). */
  workerProcess: ProductProcess;
  /** False where the worker shares its process with the API and cannot be paused alone. */
  workerPausable: boolean;
  /** Stops API and worker; after that the application database can be opened for the analysis. */
  stopApplication(): Promise<void>;
  openApplicationDatabase(): Promise<Database>;
  /** Stops whatever is left and removes what the run created. */
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  runDir: string;
  latenessRates: number[];
  bursts: number;
  /** Settings every product process gets (worker sizing, rate limits, log level). */
  settings: Record<string, string>;
}

/**
 * `npm start`'s embedded stack (scripts/start.ts) as one child process: Temporal dev server and mail catcher as
 * its children, and API, worker and PGlite inside it. PGlite lives in one process and cannot be shared, so here
 * the worker cannot be separated from the API, and the bench reads the database only after the stack stopped.
 */
export async function startEmbedded(options: DeploymentOptions): Promise<Deployment> {
  const vars = await embeddedStackVars(options.runDir, 'embedded-');
  const dataDir = vars.DATA_DIR;
  const seeding = await openDatabase({ dataDir });
  const fixtures = await prepareBenchData(seeding, options).finally(() => seeding.close());
  const apiUrl = `http://127.0.0.1:${vars.PORT}`;
  const stack = await startProductProcess({
    name: 'embedded stack',
    entry: 'scripts/start.ts',
    env: { ...environmentWithoutSecrets(), ...vars, ...options.settings },
    logFile: path.join(options.runDir, 'embedded-stack.log'),
    ready: apiReady(apiUrl),
  });
  return {
    name: 'embedded',
    layout: 'one process: API + worker + PGlite (npm start); Temporal dev server (SQLite) and mail catcher as its children',
    apiUrl,
    temporalAddress: `127.0.0.1:${vars.TEMPORAL_PORT}`,
    workerMetricsUrl: `http://127.0.0.1:${vars.WORKER_METRICS_PORT}/metrics`,
    fixtures,
    workerProcess: stack,
    workerPausable: false,
    stopApplication: () => stack.stop(),
    openApplicationDatabase: () => openDatabase({ dataDir }),
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Its own port block and databases, so the bench runs beside `npm run cluster` (offset 0) and the chaos run (6).
const CLUSTER_PORT_OFFSET = 3;
const CLUSTER_DATABASE: ClusterDatabase = { address: '127.0.0.1:5432', user: 'postgres', name: 'temporal_bench', visibilityName: 'temporal_bench_visibility' };

const dropDatabases = (names: string[]) => withAdminClient(async (client) => {
  for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

/**
 * The scale configuration: the Temporal server as four processes on PostgreSQL (fresh databases of the bench's
 * own), the application on a fresh PostgreSQL database, `npm run api` and `npm run worker` as two processes.
 */
export async function startClusterDeployment(options: DeploymentOptions): Promise<Deployment> {
  const serverBinary = await provisionClusterBinary('temporal-server');
  const sqlTool = await provisionClusterBinary('temporal-sql-tool');
  await dropDatabases([CLUSTER_DATABASE.name, CLUSTER_DATABASE.visibilityName]);
  await setUpClusterSchema(sqlTool, path.join(serverModuleDir(), 'schema', 'postgresql', 'v12'), CLUSTER_DATABASE);
  const cluster = await startCluster({ serverBinary, database: CLUSTER_DATABASE, logDir: path.join(options.runDir, 'cluster'), portOffset: CLUSTER_PORT_OFFSET });
  const appDatabase = `itsm_bench_${Date.now()}`;
  const cleanups: (() => Promise<unknown>)[] = [() => cluster.stop(), () => dropDatabases([appDatabase, CLUSTER_DATABASE.name, CLUSTER_DATABASE.visibilityName])];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: Error) => console.error(`bench: while stopping: ${error.message}`));
  };
  try {
    await withAdminClient((client) => client.query(`CREATE DATABASE "${appDatabase}"`));
    const url = databaseUrl(appDatabase);
    const seeding = await openDatabase({ url, dataDir: options.runDir });
    const fixtures = await prepareBenchData(seeding, options).finally(() => seeding.close());
    const [apiPort, smtpPort, mailUiPort, workerMetricsPort, sdkMetricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const catcher = await startMailCatcher({ smtpPort, uiPort: mailUiPort });
    cleanups.push(() => catcher.stop());
    const dataDir = path.join(options.runDir, 'cluster-app');
    mkdirSync(dataDir, { recursive: true });
    // DATABASE_URL and SMTP_URL are how `npm run api` / `npm run worker` are configured at scale (config/env.ts).
    const env = {
      ...environmentWithoutSecrets(),
      ...options.settings,
      DATABASE_URL: url,
      SMTP_URL: catcher.smtpUrl,
      TEMPORAL_ADDRESS: cluster.address,
      DATA_DIR: dataDir,
    };
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = await startProductProcess({ name: 'API', entry: 'api/main.ts', env: { ...env, PORT: String(apiPort) }, logFile: path.join(options.runDir, 'cluster-api.log'), ready: apiReady(apiUrl) });
    cleanups.push(() => api.stop());
    const worker = await startProductProcess({
      name: 'worker',
      entry: 'workers/main.ts',
      env: { ...env, WORKER_METRICS_PORT: String(workerMetricsPort), TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort) },
      logFile: path.join(options.runDir, 'cluster-worker.log'),
      ready: (output) => output.includes('worker polling'),
    });
    cleanups.push(() => worker.stop());
    return {
      name: 'cluster',
      layout: 'Temporal server 1.29.1 as four processes (frontend, history, matching, worker) on PostgreSQL; npm run api and npm run worker as two processes on PostgreSQL',
      apiUrl,
      temporalAddress: cluster.address,
      workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
      fixtures,
      workerProcess: worker,
      workerPausable: true,
      async stopApplication() {
        await worker.stop();
        await api.stop();
      },
      openApplicationDatabase: () => openDatabase({ url, dataDir: options.runDir }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
