import type { Request, RequestHandler } from 'express';
import type { Db } from '../prisma/database';
import type { Role, User } from '../prisma/generated/client';
import { httpErrors } from './problem-details';
import { tokenCacheOf, type TokenGrant } from './token-cache';
import { checkTokenHash, hashToken, noteTokenUse, REFUSAL_REASONS, type TokenRefusal } from './tokens';

export interface Principal {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  locale: string;
  /** IANA zone in which this person reads times. */
  timeZone: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const STAFF: Role[] = ['agent', 'manager', 'admin'];
export const MANAGERS: Role[] = ['manager', 'admin'];
export const ADMINS: Role[] = ['admin'];
export const EVERYONE: Role[] = ['requester', 'agent', 'manager', 'cab', 'auditor', 'admin'];

/** The 401 for a token that grants nothing; it tells the holder why, which is all they learn about it. */
export function refusedToken(credential: string, refusal: TokenRefusal, remedy = 'ask for a new token') {
  return httpErrors.unauthenticated(`the ${credential} ${REFUSAL_REASONS[refusal]}; ${remedy}`);
}

function principalFrom(user: User): Principal {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, locale: user.locale, timeZone: user.timeZone };
}

/**
 * Who a presented secret stands for, or why it stands for nobody; records the use (to the minute) on the way.
 * With `cacheSeconds`, a grant the database confirmed that recently is taken from the token cache: no query at
 * all when its use was also recorded within the minute.
 */
export async function tokenPrincipal(prisma: Db, req: Request, secret: string, cacheSeconds = 0): Promise<{ principal: Principal } | { refusal: TokenRefusal }> {
  const tokenHash = hashToken(secret);
  const cache = tokenCacheOf(prisma);
  const maxAgeMs = cacheSeconds * 1000;
  let grant = maxAgeMs > 0 ? cache.get(tokenHash, maxAgeMs) : undefined;
  if (!grant) {
    const version = cache.version;
    const check = await checkTokenHash(prisma, tokenHash);
    if (!check.ok) return { refusal: check.refusal };
    grant = { tokenId: check.token.id, principal: principalFrom(check.token.user), expiresAt: check.token.expiresAt, lastUsedAt: check.token.lastUsedAt };
    if (maxAgeMs > 0) cache.set(tokenHash, grant, version);
  }
  await recordUse(prisma, req, grant);
  return { principal: grant.principal };
}

async function recordUse(prisma: Db, req: Request, grant: TokenGrant) {
  const now = new Date();
  try {
    if (await noteTokenUse(prisma, { id: grant.tokenId, lastUsedAt: grant.lastUsedAt }, now)) grant.lastUsedAt = now;
  } catch (error) {
    // Bookkeeping only: the caller is authenticated whether or not the time of use could be written.
    req.log?.warn({ err: error, tokenId: grant.tokenId }, "could not record the token's last use");
  }
}

export function bearerSecret(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

/** `tokenCacheSeconds`: how old a cached token check may be (TOKEN_CACHE_SECONDS); 0 asks the database every time. */
export function authenticate(prisma: Db, tokenCacheSeconds: number): RequestHandler {
  return async (req, res, next) => {
    if (!req.get('authorization')) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm"');
      throw httpErrors.unauthenticated('missing bearer token in the Authorization header');
    }
    const secret = bearerSecret(req);
    if (!secret) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_request"');
      throw httpErrors.unauthenticated('the Authorization header must be "Bearer <token>"');
    }
    const result = await tokenPrincipal(prisma, req, secret, tokenCacheSeconds);
    if ('refusal' in result) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_token"');
      throw refusedToken('bearer token', result.refusal);
    }
    req.principal = result.principal;
    next();
  };
}

export function requireRole(allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    const roles = req.principal?.roles ?? [];
    if (!roles.some((role) => allowed.includes(role))) {
      throw httpErrors.forbidden(`this action needs one of the roles ${allowed.join(', ')}; you have ${roles.join(', ') || 'none'}`);
    }
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw httpErrors.unauthenticated('not authenticated');
  return req.principal;
}

export function hasAnyRole(principal: Principal, roles: Role[]): boolean {
  return principal.roles.some((role) => roles.includes(role));
}
