import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
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
export const CLUSTER_PORTS = {
  frontendHttp: 7443,
  ui: 8433,
  services: {
    frontend: { grpc: 7433, membership: 6433, metrics: 9433 },
    history: { grpc: 7434, membership: 6434, metrics: 9434 },
    matching: { grpc: 7435, membership: 6435, metrics: 9435 },
    worker: { grpc: 7439, membership: 6439, metrics: 9439 },
  } satisfies Record<ClusterService, ServicePorts>,
};

const SERVICES = Object.keys(CLUSTER_PORTS.services) as ClusterService[];
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
}

export interface Cluster {
  address: string;
  uiUrl?: string;
  logDir: string;
  /** The current process of each service (a service that dies is started again, so this changes). */
  processes(): Record<ClusterService, ChildProcess>;
  stop(): Promise<void>;
}

/** What the YAML templates in this folder read: the database and every service's ports. */
function templateEnvironment(database: ClusterDatabase): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_CLUSTER_PG_ADDRESS: database.address,
    TEMPORAL_CLUSTER_PG_USER: database.user,
    TEMPORAL_CLUSTER_DB: database.name,
    TEMPORAL_CLUSTER_VISIBILITY_DB: database.visibilityName,
    TEMPORAL_CLUSTER_FRONTEND_HTTP_PORT: String(CLUSTER_PORTS.frontendHttp),
    TEMPORAL_CLUSTER_UI_PORT: String(CLUSTER_PORTS.ui),
  };
  for (const service of SERVICES) {
    const ports: ServicePorts = CLUSTER_PORTS.services[service];
    env[`TEMPORAL_CLUSTER_${service.toUpperCase()}_PORT`] = String(ports.grpc);
    env[`TEMPORAL_CLUSTER_${service.toUpperCase()}_MEMBERSHIP_PORT`] = String(ports.membership);
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

async function waitForFrontend(address: string, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the cluster's frontend on ${address} did not answer within ${timeoutMs / 1000}s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
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
  const baseEnv = { ...environmentWithoutSecrets(), ...templateEnvironment(options.database) };
  const children = {} as Record<ClusterService, ChildProcess>;
  let stopping = false;

  const startService = (service: ClusterService) => {
    const env = { ...baseEnv, TEMPORAL_CLUSTER_METRICS_PORT: String(CLUSTER_PORTS.services[service].metrics) };
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

  const stop = async () => {
    stopping = true;
    // The frontend first, so no new work arrives while history and matching persist what they hold.
    if (ui) await stopChild(ui);
    for (const service of ['frontend', 'worker', 'matching', 'history'] as const) await stopChild(children[service]);
  };

  const address = `127.0.0.1:${CLUSTER_PORTS.services.frontend.grpc}`;
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
    uiUrl: ui ? `http://127.0.0.1:${CLUSTER_PORTS.ui}` : undefined,
    logDir: options.logDir,
    processes: () => ({ ...children }),
    stop,
  };
}
