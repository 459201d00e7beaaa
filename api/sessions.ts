import type { Express, Request, Response } from 'express';
import type { EdgeSettings } from '../config/env';
import type { Db } from '../prisma/database';
import type { User } from '../prisma/generated/client';
import { generateToken, hashToken, type TokenRefusal } from './tokens';

export const SESSION_COOKIE = 'itsm_session';
const SESSION_SETTINGS = 'itsm session settings';
const HOUR_MS = 3_600_000;

type SessionSettings = Pick<EdgeSettings, 'sessionCookieSecure' | 'sessionHours'>;

/** Behind a TLS proxy the request itself arrives over plain http, so Secure cannot follow `req.secure` there. */
export function setSessionSettings(app: Express, settings: SessionSettings) {
  app.set(SESSION_SETTINGS, settings);
}

function settingsOf(req: Request): SessionSettings {
  return req.app.get(SESSION_SETTINGS) ?? { sessionCookieSecure: 'request', sessionHours: 12 };
}

export function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      // A mangled cookie is an unknown session (401), not a server error.
      return value.join('=');
    }
  }
  return null;
}

/** A cookie only this site's pages send and no script reads; `maxAgeMs` 0 deletes it. */
export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeMs: number, path = '/') {
  const secure = settingsOf(req).sessionCookieSecure;
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: secure === 'request' ? req.secure : secure, path, maxAge: maxAgeMs });
}

/**
 * Signs the browser in: the cookie carries a random id and the database its SHA-256, the person, and when it ends.
 * A session opened with a pasted API token (the embedded demo) also ends with that token.
 */
export async function openSession(prisma: Db, req: Request, res: Response, holder: { userId: string; apiTokenId?: string }) {
  const now = Date.now();
  const lifetimeMs = settingsOf(req).sessionHours * HOUR_MS;
  const secret = generateToken();
  // Whoever signs in next clears away the sessions that have run out, so the table holds live ones only.
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
  await prisma.session.create({ data: { secretHash: hashToken(secret), userId: holder.userId, apiTokenId: holder.apiTokenId, expiresAt: new Date(now + lifetimeMs) } });
  setCookie(req, res, SESSION_COOKIE, secret, lifetimeMs);
}

/** Signs the browser out: the session is deleted, so the cookie is worthless even where a copy of it survives. */
export async function endSession(prisma: Db, req: Request, res: Response) {
  const secret = cookieValue(req, SESSION_COOKIE);
  if (secret) await prisma.session.deleteMany({ where: { secretHash: hashToken(secret) } });
  setCookie(req, res, SESSION_COOKIE, '', 0);
}

export function sessionSecret(req: Request): string | null {
  return cookieValue(req, SESSION_COOKIE) || null;
}

/** Whose session a cookie names, or why it names nobody now. */
export async function findSession(prisma: Db, secret: string, now = new Date()): Promise<{ user: User } | { refusal: TokenRefusal }> {
  const session = await prisma.session.findUnique({ where: { secretHash: hashToken(secret) }, include: { user: true, apiToken: true } });
  if (!session) return { refusal: 'unknown' };
  if (session.expiresAt <= now || (session.apiToken?.expiresAt && session.apiToken.expiresAt <= now)) return { refusal: 'expired' };
  if (session.apiToken?.revokedAt) return { refusal: 'revoked' };
  if (session.user.deactivatedAt) return { refusal: 'deactivated' };
  return { user: session.user };
}
