import express, { type Router } from 'express';
import { messagePage } from '../action-pages';
import { tokenPrincipal } from '../auth';
import type { ApiDeps } from '../deps';
import { setSession } from '../sessions';

const AFTER_SIGN_IN = '/';
const THIS_SITE = 'http://itsm.invalid';

/**
 * Only a path on this site: the sign-in page must not become an open redirect. Backslashes and control characters
 * are refused before parsing because browsers rewrite them (`/\evil.com` and `/<tab>/evil.com` both become
 * `//evil.com`, another host); what remains must resolve to this site, like a relative link would.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return AFTER_SIGN_IN;
  try {
    const url = new URL(next, THIS_SITE);
    return url.origin === THIS_SITE ? `${url.pathname}${url.search}${url.hash}` : AFTER_SIGN_IN;
  } catch {
    return AFTER_SIGN_IN;
  }
}

/** The browser session behind action links: sign in with an API token, sign out. */
export function signInRoutes(router: Router, deps: ApiDeps) {
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  // The site's front page is its API documentation, where a signed-in person lands by default.
  router.get('/', (_req, res) => {
    res.redirect(302, '/docs');
  });

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    res.type('html').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title></head><body><h1>Sign in</h1><form method="post" action="/login?next=${encodeURIComponent(next)}"><label for="token">API token</label> <input id="token" name="token" type="password" autocomplete="off"> <button type="submit">Sign in</button></form></body></html>`,
    );
  });

  router.post('/login', form, async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const signedIn = token ? await tokenPrincipal(deps.prisma, req, token) : null;
    if (!signedIn || 'refusal' in signedIn) return void res.status(401).type('html').send(messagePage('en', 'Sign-in failed', 'That token is not valid: unknown, revoked or expired, or its user is deactivated.', 'refused'));
    setSession(req, res, token);
    res.redirect(303, safeNext(req.query.next));
  });

  router.post('/logout', (req, res) => {
    setSession(req, res, null);
    res.redirect(303, '/login');
  });
}
