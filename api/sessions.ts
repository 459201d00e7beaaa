import type { Express, Request, Response } from 'express';
import type { EdgeSettings } from '../config/env';
import type { Db } from '../prisma/database';
import { bearerSecret, refusedToken, tokenPrincipal, type Principal } from './auth';

export const SESSION_COOKIE = 'itsm_session';
const COOKIE_SECURITY = 'itsm session cookie secure';

/** Behind a TLS proxy the request itself arrives over plain http, so Secure cannot follow `req.secure` there. */
export function setSessionCookieSecurity(app: Express, secure: EdgeSettings['sessionCookieSecure']) {
  app.set(COOKIE_SECURITY, secure);
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      // A mangled cookie is an unknown token (401), not a server error.
      return value.join('=');
    }
  }
  return null;
}

/**
 * Who is signed in on this request, if anyone: a bearer token (API clients) or the browser's session cookie.
 * Action links do not need a session, but when there is one it must be the link's own addressee. The session
 * holds a raw API token, so it ends the moment that token is revoked or expires or its user is deactivated:
 * a 401, and the cookie is cleared so the next visit starts signed out.
 */
export async function signedInUser(prisma: Db, req: Request, res: Response): Promise<Principal | null> {
  const bearer = bearerSecret(req);
  const secret = bearer ?? cookieValue(req, SESSION_COOKIE);
  if (!secret) return null;
  const result = await tokenPrincipal(prisma, req, secret);
  if ('principal' in result) return result.principal;
  if (bearer) throw refusedToken('bearer token', result.refusal);
  setSession(req, res, null);
  throw refusedToken("session's token", result.refusal, 'sign in again at /login');
}

export function setSession(req: Request, res: Response, token: string | null) {
  const secure: EdgeSettings['sessionCookieSecure'] = req.app.get(COOKIE_SECURITY) ?? 'request';
  res.cookie(SESSION_COOKIE, token ?? '', { httpOnly: true, sameSite: 'lax', secure: secure === 'request' ? req.secure : secure, path: '/', maxAge: token ? 12 * 3600_000 : 0 });
}
