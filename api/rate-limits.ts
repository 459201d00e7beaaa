import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { EdgeSettings } from '../config/env';
import { bearerSecret } from './auth';
import { HttpError } from './problem-details';

/**
 * Counters live in this process's memory: behind several API processes each keeps its own, so a client gets up to
 * that many times the limit (a shared store, e.g. rate-limit-redis, would make them global).
 */
function limiter(name: string, perMinute: number, counted: string, logger: Logger, options: Partial<Options> = {}): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    keyGenerator: (req: Request) => ipKeyGenerator(req.ip ?? 'unknown'),
    handler: (_req, res, next) =>
      next(new HttpError(429, 'too-many-requests', 'Too many requests', `more than ${perMinute} ${counted} a minute; try again in ${res.get('Retry-After')} s`)),
    logger,
    ...options,
  });
}

export function rateLimits(limits: EdgeSettings['limits'], logger: Logger) {
  return {
    login: limiter('login', limits.loginPerMinute, 'sign-in attempts from this address', logger),
    actions: limiter('actions', limits.actionsPerMinute, 'action-link requests from this address', logger),
    /** Both run before authentication, so a flood costs no token lookup and no body parsing. */
    api: [
      // Only refusals count: one address guessing tokens (or sending none) is stopped, while its valid callers
      // spend their own tokens' budgets.
      limiter('unauthenticated', limits.unauthenticatedPerMinute, 'unauthenticated API requests from this address', logger, {
        skipSuccessfulRequests: true,
        requestWasSuccessful: (_req, res) => res.statusCode !== 401,
      }),
      // Keyed on a digest, so the counters never hold a usable token.
      limiter('token', limits.apiPerMinute, 'API requests with this token', logger, {
        skip: (req) => !bearerSecret(req),
        keyGenerator: (req) => createHash('sha256').update(bearerSecret(req)!).digest('base64url'),
      }),
    ],
  };
}
