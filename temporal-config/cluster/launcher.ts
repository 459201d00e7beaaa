import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { environmentWithoutSecrets } from '../../config/child-env';
import { stopChild } from '../dev-server';
import { ITSM_SEARCH_ATTRIBUTES } from '../search-attributes';
import type { ClusterDatabase } from './schema';

export type ClusterService = 'frontend' | 'history' | 'matching' | 'worker';

interface ServicePorts {
  grpc: number;
  membership: number;
  metrics: number;
}

// A block of its own (74xx, 64xx, 94xx) so the cluster runs beside `npm start`'s dev server (7233/8233) and the
// tests' dev servers (free ports), and the worker's metrics (9464).
// A run that needs a cluster of its own beside `npm run cluster` (the bench, the chaos run) shifts the block by an
// offset below 10, so the two never share a port.
export function clusterPorts(offset = 0) {
  const at = (port: number) => port + offset;
  const service = (base: number): ServicePorts => ({ grpc: at(7400 + base), membership: at(6400 + base), metrics: at(9400 + base) });
  return {
    frontendHttp: at(7443),
    ui: at(8433),
    services: { frontend: service(33), history: service(34), matching: service(35), worker: service(39) } satisfies Record<ClusterService, ServicePorts>,
  };
}

export type ClusterPorts = ReturnType<typeof clusterPorts>;

const SERVICES: ClusterService[] = ['frontend', 'history', 'matching', 'worker'];
const CONFIG_ROOT = __dirname;
const ALREADY_EXISTS = 6; // gRPC status code
const RETENTION = '7 days';

export interface ClusterOptions {
  serverBinary: string;
  uiBinary?: string;
  database: ClusterDatabase;
  logDir: string;
  namespace?: string;
  readyTimeoutMs?: number;
  /** Shifts every port (see clusterPorts); 0 for `npm run cluster`. */
  portOffset?: number;
  /**
   * PostgreSQL connections each service process may hold (default 20 for persistence, 10 for visibility): four
   * services at the defaults can take 120, past PostgreSQL's default max_connections of 100 when a second
   * cluster or the app shares the server.
   */
  connectionsPerService?: { persistence: number; visibility: number };
}

export interface Cluster {
  address: string;
  uiUrl?: string;
  logDir: string;
  /** The current process of each service (a service that dies is started again, so this changes). */
  processes(): Record<ClusterService, ChildProcess>;
  /** SIGKILLs the service's current process, as a crash would; resolves once its replacement listens again. */
  crash(service: ClusterService): Promise<void>;
  stop(): Promise<void>;
}

/** What the YAML templates in this folder read: the database and every service's ports. */
function templateEnvironment(database: ClusterDatabase, ports: ClusterPorts, connections?: ClusterOptions['connectionsPerService']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...(connections && { TEMPORAL_CLUSTER_PG_MAX_CONNS: String(connections.persistence), TEMPORAL_CLUSTER_VISIBILITY_MAX_CONNS: String(connections.visibility) }),
    TEMPORAL_CLUSTER_PG_ADDRESS: database.address,
    TEMPORAL_CLUSTER_PG_USER: database.user,
    TEMPORAL_CLUSTER_DB: database.name,
    TEMPORAL_CLUSTER_VISIBILITY_DB: database.visibilityName,
    TEMPORAL_CLUSTER_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    TEMPORAL_CLUSTER_UI_PORT: String(ports.ui),
  };
  for (const service of SERVICES) {
    const { grpc, membership } = ports.services[service];
    env[`TEMPORAL_CLUSTER_${service.toUpperCase()}_PORT`] = String(grpc);
    env[`TEMPORAL_CLUSTER_${service.toUpperCase()}_MEMBERSHIP_PORT`] = String(membership);
  }
  return env;
}

function spawnLogged(binary: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  // Detached: Ctrl-C reaches only the launcher, which stops the services in order.
  const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: true, env });
  closeSync(log);
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect({ host: '127.0.0.1', port }, () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});

async function waitForFrontend(address: string, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the cluster's frontend on ${address} did not answer within ${timeoutMs / 1000}s: ${(error as Error).message}`);
      await sleep(500);
    }
  }
}

/** The namespace and the ITSM search attributes, each created only if missing. */
async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
    console.log(`[temporal-cluster] namespace ${namespace} registered`);
  } catch (error) {
    if (!(isGrpcServiceError(error) && error.code === ALREADY_EXISTS)) throw error;
  }
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = ITSM_SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
  if (missing.length === 0) return;
  const searchAttributes = Object.fromEntries(missing.flatMap((key) => {
    const type = encodeSearchAttributeIndexedValueType(key.type);
    return type === undefined ? [] : [[key.name, type]];
  }));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  console.log(`[temporal-cluster] search attributes registered: ${missing.map((key) => key.name).join(', ')}`);
}

/**
 * Starts frontend, history, matching and the internal worker as four `temporal-server` processes on PostgreSQL
 * (schema already set up), plus the UI server when there is one, and registers the namespace. A service that
 * exits while the cluster runs is started again, as a process manager would, so killing one (the chaos run
 * kills history) is an outage and a recovery, not the end of the cluster.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  mkdirSync(options.logDir, { recursive: true });
  const namespace = options.namespace ?? 'default';
  const ports = clusterPorts(options.portOffset);
  const baseEnv = { ...environmentWithoutSecrets(), ...templateEnvironment(options.database, ports, options.connectionsPerService) };
  const children = {} as Record<ClusterService, ChildProcess>;
  let stopping = false;

  const startService = (service: ClusterService) => {
    const env = { ...baseEnv, TEMPORAL_CLUSTER_METRICS_PORT: String(ports.services[service].metrics) };
    const args = ['--root', CONFIG_ROOT, '--config', '.', '--env', 'cluster', '--allow-no-auth', 'start', '--service', service];
    const child = spawnLogged(options.serverBinary, args, env, path.join(options.logDir, `${service}.log`));
    children[service] = child;
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[temporal-cluster] ${service} (pid ${child.pid}) exited (${code ?? signal}); starting it again`);
      setTimeout(() => !stopping && startService(service), 1_000);
    });
  };
  SERVICES.forEach(startService);

  const ui = options.uiBinary
    ? spawnLogged(options.uiBinary, ['--root', path.join(CONFIG_ROOT, 'ui'), '--config', '.', '--env', 'cluster', 'start'], baseEnv, path.join(options.logDir, 'ui.log'))
    : undefined;

  const crash = async (service: ClusterService) => {
    const victim = children[service];
    if (victim.exitCode === null && victim.signalCode === null) {
      const exited = once(victim, 'exit');
      victim.kill('SIGKILL');
      await exited;
    }
    while (!stopping && (children[service] === victim || !(await accepts(ports.services[service].grpc)))) await sleep(100);
  };

  const stop = async () => {
    stopping = true;
    // The frontend first, so no new work arrives while history and matching persist what they hold.
    if (ui) await stopChild(ui);
    for (const service of ['frontend', 'worker', 'matching', 'history'] as const) await stopChild(children[service]);
  };

  const address = `127.0.0.1:${ports.services.frontend.grpc}`;
  try {
    const connection = await waitForFrontend(address, options.readyTimeoutMs ?? 120_000);
    try {
      await registerNamespace(connection, namespace);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nLogs: ${options.logDir}`);
  }
  return {
    address,
    uiUrl: ui ? `http://127.0.0.1:${ports.ui}` : undefined,
    logDir: options.logDir,
    processes: () => ({ ...children }),
    crash,
    stop,
  };
}
