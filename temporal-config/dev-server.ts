import { spawn, type ChildProcess } from 'node:child_process';
import { environmentWithoutSecrets } from '../config/child-env';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from './search-attributes';

export interface DevServerOptions {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Keep history in memory only (tests); by default it lives in `<dataDir>/temporal.db`. */
  ephemeral?: boolean;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class DevServerError extends Error {}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitForFrontend(address: string, namespace: string, child: ChildProcess, timeoutMs: number, logFile: string) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new DevServerError(`Temporal dev server exited (${child.exitCode ?? child.signalCode}) before it was ready. Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new DevServerError(
    `Temporal dev server on ${address} was not ready within ${Math.round(timeoutMs / 1000)}s ` +
      `(last error: ${(lastError as Error)?.message ?? 'none'}). Last lines of ${logFile}:\n${tail(logFile)}`,
  );
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `temporal server start-dev` with the ITSM search attributes and waits until it serves the namespace. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = path.join(options.dataDir, 'temporal.log');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--log-level',
    options.logLevel ?? 'warn',
    ...searchAttributeFlags(),
  ];
  if (!options.ephemeral) {
    args.push('--db-filename', path.join(options.dataDir, 'temporal.db'), '--sqlite-pragma', 'journal_mode=WAL');
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  const log = openSync(logFile, 'a');
  // Detached: a terminal's Ctrl-C must not kill the server before the worker has drained against it.
  const child = spawn(options.binary, args, { stdio: ['ignore', log, log], detached: true, env: environmentWithoutSecrets() });
  closeSync(log);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitForFrontend(address, namespace, child, options.readyTimeoutMs ?? 120_000, logFile);
  } catch (error) {
    await stopChild(child, 2_000);
    throw error;
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    logFile,
    process: child,
    stop: () => stopChild(child),
  };
}
