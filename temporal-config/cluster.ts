// `npm run cluster`: the full Temporal server (frontend, history, matching, internal worker as separate processes)
// on the local PostgreSQL, with the Temporal UI. The binaries are built with Go on the first run and cached.
import path from 'node:path';
import { REPO_ROOT } from './cli';
import { startCluster } from './cluster/launcher';
import { setUpClusterSchema, type ClusterDatabase } from './cluster/schema';
import { provisionClusterBinary, serverModuleDir } from './server-binaries';

// The local PostgreSQL the tests and the chaos run use (trust authentication, so no password to hand around).
const DATABASE: ClusterDatabase = { address: '127.0.0.1:5432', user: 'postgres', name: 'temporal', visibilityName: 'temporal_visibility' };

async function optionalUiBinary(): Promise<string | undefined> {
  try {
    return await provisionClusterBinary('temporal-ui-server');
  } catch (error) {
    console.warn(`[temporal-cluster] no Temporal UI: ${(error as Error).message}`);
    return undefined;
  }
}

async function main() {
  const serverBinary = await provisionClusterBinary('temporal-server');
  const sqlTool = await provisionClusterBinary('temporal-sql-tool');
  const uiBinary = await optionalUiBinary();
  await setUpClusterSchema(sqlTool, path.join(serverModuleDir(), 'schema', 'postgresql', 'v12'), DATABASE);

  const logDir = path.join(REPO_ROOT, 'data', 'cluster');
  const cluster = await startCluster({ serverBinary, uiBinary, database: DATABASE, logDir });
  const pids = Object.entries(cluster.processes()).map(([service, child]) => `${service} ${child.pid}`);
  console.log(
    [
      `[temporal-cluster] ready on PostgreSQL ${DATABASE.address} (databases ${DATABASE.name}, ${DATABASE.visibilityName})`,
      `  frontend   ${cluster.address}   (TEMPORAL_ADDRESS=${cluster.address} npm run worker / npm run api)`,
      `  UI         ${cluster.uiUrl ?? '(not built; see the README)'}`,
      `  processes  ${pids.join(', ')}`,
      `  logs       ${cluster.logDir}`,
      '  Ctrl-C stops everything',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[temporal-cluster] ${signal}: stopping the services`);
    cluster.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`[temporal-cluster] ${error.message}`);
  process.exit(1);
});
