import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../prisma/database';
import type { Role, User } from '../prisma/generated/client';
import type { ApiDeps } from './deps';
import type { IdentityProvider } from './identity-provider';
import { IDENTITY_REFUSALS, syncProviderUser } from './identity-sync';
import { httpErrors } from './problem-details';
import { findSession, sessionSecret, setCookie, SESSION_COOKIE } from './sessions';
import { tokenCacheOf, type TokenGrant } from './token-cache';
import { checkTokenHash, hashToken, noteTokenUse, REFUSAL_REASONS, type TokenRefusal } from './tokens';

type AuthDeps = Pick<ApiDeps, 'prisma' | 'identityProvider'>;
type Authentication = { principal: Principal } | { refusal: TokenRefusal; detail?: string };

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
async function tokenPrincipal(prisma: Db, req: Request, secret: string, cacheSeconds = 0): Promise<{ principal: Principal } | { refusal: TokenRefusal }> {
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

/** A JWT has three dot-separated parts; API tokens (`itsm_…`) have none. */
const looksLikeJwt = (secret: string) => /^[\w-]+\.[\w-]*\.[\w-]*$/.test(secret);

/**
 * Who an access token from the organisation's identity provider stands for: verified against the provider's keys
 * (issuer, audience, expiry, algorithm), then the person found or provisioned like at sign-in. Cached like API
 * tokens, never past the token's own expiry; nothing is recorded as its "last use" (it has no row).
 */
async function providerTokenPrincipal(prisma: Db, provider: IdentityProvider, token: string, cacheSeconds: number): Promise<Authentication> {
  const tokenHash = hashToken(token);
  const cache = tokenCacheOf(prisma);
  const cached = cacheSeconds > 0 ? cache.get(tokenHash, cacheSeconds * 1000) : undefined;
  if (cached) return { principal: cached.principal };
  const version = cache.version;
  const verified = await provider.verifyAccessToken(token);
  if ('refusal' in verified) return verified;
  const synced = await syncProviderUser(prisma, provider.settings, verified.claims, 'access-token');
  if ('refusal' in synced) return { refusal: synced.refusal === 'deactivated' ? 'deactivated' : 'unknown', detail: IDENTITY_REFUSALS[synced.refusal] };
  const principal = principalFrom(synced.user);
  if (cacheSeconds > 0) cache.set(tokenHash, { tokenId: null, principal, expiresAt: new Date(Number(verified.claims.exp) * 1000), lastUsedAt: null }, version);
  return { principal };
}

/** A bearer credential: the provider's access token when one is configured and this is a JWT, else an API token. */
function bearerPrincipal(deps: AuthDeps, req: Request, secret: string, cacheSeconds = 0): Promise<Authentication> {
  if (deps.identityProvider && looksLikeJwt(secret)) return providerTokenPrincipal(deps.prisma, deps.identityProvider, secret, cacheSeconds);
  return tokenPrincipal(deps.prisma, req, secret, cacheSeconds);
}

const refusedBearer = (result: { refusal: TokenRefusal; detail?: string }) => refusedToken('bearer token', result.refusal, result.detail);

/**
 * The browser session this request's cookie names, or null without one. A session that ended (expired, signed
 * out, its user deactivated, its pasted token revoked) is a 401, and the cookie is cleared so the next visit
 * starts signed out.
 */
async function sessionPrincipal(prisma: Db, req: Request, res: Response): Promise<Principal | null> {
  const secret = sessionSecret(req);
  if (!secret) return null;
  const found = await findSession(prisma, secret);
  if ('user' in found) return principalFrom(found.user);
  setCookie(req, res, SESSION_COOKIE, '', 0);
  throw refusedToken('session', found.refusal, 'sign in again at /login');
}

/**
 * Who is signed in on a page's request, if anyone: a bearer credential (API clients) or the browser's session.
 * Action links do not need a session, but when there is one it must be the link's own addressee.
 */
export async function signedInUser(deps: AuthDeps, req: Request, res: Response): Promise<Principal | null> {
  const bearer = bearerSecret(req);
  if (!bearer) return sessionPrincipal(deps.prisma, req, res);
  const result = await bearerPrincipal(deps, req, bearer);
  if ('refusal' in result) throw refusedBearer(result);
  return result.principal;
}

async function recordUse(prisma: Db, req: Request, grant: TokenGrant) {
  if (!grant.tokenId) return;
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

const SAFE_METHODS = ['GET', 'HEAD'];

/**
 * `tokenCacheSeconds`: how old a cached token check may be (TOKEN_CACHE_SECONDS); 0 asks the database every time.
 * A browser's session is accepted on reads only (the report pages, /docs trying a GET): a cross-site form can post
 * but not read, and nothing that writes then acts on a cookie alone. A browser that opens a page signed out is
 * sent to sign in and back.
 */
export function authenticate(deps: AuthDeps, tokenCacheSeconds: number): RequestHandler {
  return async (req, res, next) => {
    if (!req.get('authorization')) {
      const reading = SAFE_METHODS.includes(req.method);
      const principal = reading ? await sessionPrincipal(deps.prisma, req, res) : null;
      if (principal) {
        req.principal = principal;
        return next();
      }
      if (reading && req.accepts(['json', 'html']) === 'html') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      res.set('WWW-Authenticate', 'Bearer realm="itsm"');
      throw httpErrors.unauthenticated('missing bearer token in the Authorization header');
    }
    const secret = bearerSecret(req);
    if (!secret) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_request"');
      throw httpErrors.unauthenticated('the Authorization header must be "Bearer <token>"');
    }
    const result = await bearerPrincipal(deps, req, secret, tokenCacheSeconds);
    if ('refusal' in result) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_token"');
      throw refusedBearer(result);
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
