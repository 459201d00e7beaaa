import type { Router } from 'express';
import type { ReadinessCheck } from '../deps';

const READINESS_TIMEOUT_MS = 3_000;

async function probe(check: ReadinessCheck) {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS).unref()),
    ]);
    return { status: 'up' as const, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down' as const, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

export function healthRoutes(router: Router, readiness: Record<string, ReadinessCheck>) {
  const startedAt = Date.now();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(readiness);
    const results = await Promise.all(names.map((name) => probe(readiness[name])));
    const components = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = results.every((result) => result.status === 'up');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', components });
  });
}
