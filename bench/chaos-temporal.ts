// The Temporal side of the chaos run, in either configuration: the dev server (one process, which the run kills and
// starts again) or the full cluster on PostgreSQL (its history service killed; the launcher starts it again, as a
// process manager would).
import { once } from 'node:events';
import path from 'node:path';
import { provisionTemporalCli } from '../temporal-config/cli';
import { startCluster } from '../temporal-config/cluster/launcher';
import { setUpClusterSchema, type ClusterDatabase } from '../temporal-config/cluster/schema';
import { startDevServer } from '../temporal-config/dev-server';
import { provisionClusterBinary, serverModuleDir } from '../temporal-config/server-binaries';
import { withAdminClient } from '../test/support/postgres';
import { freePort } from '../test/support/ports';

export interface ChaosTemporal {
  address: string;
  /** What the run kills on the Temporal side. */
  victim: 'temporal' | 'history';
  /** SIGKILLs the victim and resolves once it serves again. The dev server stays down `pauseMs` first; the cluster's launcher restarts history on its own schedule. */
  crash(pauseMs: number): Promise<void>;
  /** Stops every process it started and drops what it created. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startChaosDevServer(runDir: string): Promise<ChaosTemporal> {
  const cli = await provisionTemporalCli();
  const [port, uiPort] = await Promise.all([freePort(), freePort()]);
  const options = { binary: cli.path, dataDir: path.join(runDir, 'temporal'), port, uiPort, readyTimeoutMs: 120_000 };
  let server = await startDevServer(options);
  return {
    address: server.address,
    victim: 'temporal',
    async crash(pauseMs) {
      const exited = once(server.process, 'exit');
      process.kill(-server.process.pid!, 'SIGKILL');
      await exited;
      await sleep(pauseMs);
      server = await startDevServer(options);
    },
    stop: () => server.stop(),
  };
}

// Databases of its own, dropped before and after, so every run starts from an empty history; the ports are the
// `npm run cluster` block shifted by 6 (the bench uses other offsets), and few connections per service (a hundred
// incidents need no more), so it runs beside both on one PostgreSQL.
const CLUSTER_DATABASE: ClusterDatabase = { address: '127.0.0.1:5432', user: 'postgres', name: 'temporal_chaos', visibilityName: 'temporal_chaos_visibility' };
const CLUSTER_PORT_OFFSET = 6;

const dropClusterDatabases = () => withAdminClient(async (client) => {
  for (const name of [CLUSTER_DATABASE.name, CLUSTER_DATABASE.visibilityName]) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

export async function startChaosCluster(runDir: string): Promise<ChaosTemporal> {
  const serverBinary = await provisionClusterBinary('temporal-server');
  const sqlTool = await provisionClusterBinary('temporal-sql-tool');
  await dropClusterDatabases();
  await setUpClusterSchema(sqlTool, path.join(serverModuleDir(), 'schema', 'postgresql', 'v12'), CLUSTER_DATABASE);
  const cluster = await startCluster({ serverBinary, database: CLUSTER_DATABASE, logDir: path.join(runDir, 'cluster'), portOffset: CLUSTER_PORT_OFFSET, connectionsPerService: { persistence: 5, visibility: 2 } });
  return {
    address: cluster.address,
    victim: 'history',
    crash: () => cluster.crash('history'),
    async stop() {
      await cluster.stop();
      await dropClusterDatabases();
    },
  };
}
