import type { Request, Response } from 'express';
import type { Db } from '../prisma/database';
import { hashToken } from './tokens';

export const SESSION_COOKIE = 'itsm_session';

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * Who is signed in on this request, if anyone: a bearer token (API clients) or the browser's session cookie.
 * Action links do not need a session, but when there is one it must be the link's own addressee.
 */
export async function signedInUser(prisma: Db, req: Request) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  const token = bearer ?? cookieValue(req, SESSION_COOKIE);
  if (!token) return null;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  return row && !row.revokedAt ? row.user : null;
}

export function setSession(req: Request, res: Response, token: string | null) {
  res.cookie(SESSION_COOKIE, token ?? '', { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: token ? 12 * 3600_000 : 0 });
}
