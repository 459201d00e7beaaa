import type { Request, Response, Router } from 'express';
import { ADMINS, hasAnyRole, signedInUser } from '../auth';
import type { ApiDeps } from '../deps';
import { HttpError } from '../problem-details';
import type { ReadinessReport } from '../readiness';

/** Administrators (bearer token or session) read the probes' details; a bad credential is a 401 as anywhere else. */
async function readsDetails(deps: Pick<ApiDeps, 'prisma' | 'identityProvider'>, req: Request, res: Response): Promise<boolean> {
  try {
    const who = await signedInUser(deps, req, res);
    return who !== null && hasAnyRole(who, ADMINS);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The database is down, so nobody can be recognised; the public answer still tells the load balancer.
    return false;
  }
}

/**
 * /healthz: the process answers. /readyz: its dependencies answer. Publicly each component is only up or down:
 * the probes' errors name hosts, accounts and auth failures, which only administrators see.
 */
export function healthRoutes(router: Router, readiness: () => Promise<ReadinessReport>, deps: Pick<ApiDeps, 'prisma' | 'identityProvider'>) {
  const startedAt = Date.now();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  router.get('/readyz', async (req, res) => {
    const [report, details] = await Promise.all([readiness(), readsDetails(deps, req, res)]);
    const components = details ? report.components : Object.fromEntries(Object.entries(report.components).map(([name, { status }]) => [name, { status }]));
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not ready', components });
  });
}
