import type { Request, RequestHandler, Router } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The API's series, apart from the worker's: in the embedded stack both live in one process. */
const apiMetrics = new Registry();
collectDefaultMetrics({ register: apiMetrics });

const requestDuration = new Histogram({
  name: 'itsm_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [apiMetrics],
});

/**
 * The route's pattern (`/actions/:token`, `/api/incidents/:id`), never the URL: a URL would put action tokens and
 * record ids in the series, and give every distinct path a series of its own. Paths no route names (unknown
 * paths, rejections before routing, the docs' static files) share one label.
 */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'other';
}

/** Times every request; mounted first, so rejections (401, 429, 404) are counted too. */
export function requestMetrics(): RequestHandler {
  return (req, res, next) => {
    const end = requestDuration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    next();
  };
}

/**
 * Public, like /healthz and /readyz beside it (DESIGN.md): a scraper holds no account, and the series carry no
 * record, person, address or token, only route patterns, status codes, durations and process figures.
 */
export function metricsRoutes(router: Router) {
  router.get('/metrics', async (_req, res) => {
    res.type(apiMetrics.contentType).send(await apiMetrics.metrics());
  });
}
