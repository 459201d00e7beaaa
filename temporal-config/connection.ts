import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from '../config/env';

export interface TemporalTarget {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { certPath?: string; keyPath?: string; serverName?: string };
}

export function temporalTargetFromEnv(env: Env, embeddedAddress?: string): TemporalTarget {
  const address = env.TEMPORAL_ADDRESS ?? embeddedAddress ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
  const wantsTls = Boolean(env.TEMPORAL_TLS_CERT_PATH || env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_SERVER_NAME);
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: wantsTls
      ? { certPath: env.TEMPORAL_TLS_CERT_PATH, keyPath: env.TEMPORAL_TLS_KEY_PATH, serverName: env.TEMPORAL_TLS_SERVER_NAME }
      : undefined,
  };
}

// Temporal Cloud takes either mTLS client certificates or an API key (which implies TLS).
function connectionOptions(target: TemporalTarget): ConnectionOptions & NativeConnectionOptions {
  const tls = target.tls
    ? {
        serverNameOverride: target.tls.serverName,
        clientCertPair:
          target.tls.certPath && target.tls.keyPath
            ? { crt: readFileSync(target.tls.certPath), key: readFileSync(target.tls.keyPath) }
            : undefined,
      }
    : undefined;
  return { address: target.address, tls, apiKey: target.apiKey };
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(target));
  return new Client({ connection, namespace: target.namespace });
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(target));
}
