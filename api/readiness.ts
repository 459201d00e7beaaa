import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Mailer } from '../records/mail/mailer';
import type { ReadinessCheck } from './deps';
import type { Db } from '../prisma/database';

const READINESS_TIMEOUT_MS = 3_000;
/** Each round is real work (an SMTP login, a query, an RPC): /readyz answers within this share one round. */
const READINESS_CACHE_MS = 5_000;

export interface ComponentReadiness {
  status: 'up' | 'down';
  latencyMs: number;
  /** The dependency's own words, which may name hosts and accounts: administrators only. */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  components: Record<string, ComponentReadiness>;
}

/** What /readyz reports: each dependency probed for real (a query, an RPC, an SMTP handshake). */
export function readinessChecks(deps: { prisma: Db; temporal: Client; mailer: Mailer; namespace: string }): Record<string, ReadinessCheck> {
  return {
    database: async () => {
      await deps.prisma.$queryRaw`SELECT 1`;
    },
    temporal: async () => {
      await deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace });
    },
    smtp: () => deps.mailer.verify(),
  };
}

async function probe(check: ReadinessCheck): Promise<ComponentReadiness> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS).unref()),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

async function probeAll(checks: Record<string, ReadinessCheck>, logger: Logger): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => probe(checks[name])));
  const components = Object.fromEntries(names.map((name, i) => [name, results[i]]));
  for (const [name, result] of Object.entries(components)) {
    if (result.status === 'down') logger.warn({ component: name, error: result.error }, 'readiness probe failed');
  }
  return { ready: results.every((result) => result.status === 'up'), components };
}

/** Callers that arrive while a round is running wait for it; after it ends its answer serves for READINESS_CACHE_MS. */
export function cachedReadiness(checks: Record<string, ReadinessCheck>, logger: Logger): () => Promise<ReadinessReport> {
  let round: { report: Promise<ReadinessReport>; endedAt?: number } | null = null;
  return () => {
    if (!round || (round.endedAt !== undefined && performance.now() - round.endedAt > READINESS_CACHE_MS)) {
      const started: { report: Promise<ReadinessReport>; endedAt?: number } = { report: probeAll(checks, logger) };
      void started.report.then(() => {
        started.endedAt = performance.now();
      });
      round = started;
    }
    return round.report;
  };
}
