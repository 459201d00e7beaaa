import express, { type Router } from 'express';
import { messagePage } from '../action-pages';
import type { ApiDeps } from '../deps';
import { finishProviderSignIn, startProviderSignIn } from '../provider-sign-in';
import { endSession, openSession } from '../sessions';
import { checkToken, noteTokenUse } from '../tokens';

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

/**
 * The browser session behind action links, report pages and /docs: sign in through the organisation's identity
 * provider when one is configured, else (the embedded demo) by pasting an API token; sign out.
 */
export function signInRoutes(router: Router, deps: ApiDeps) {
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const provider = deps.identityProvider;

  // The site's front page is its API documentation, where a signed-in person lands by default.
  router.get('/', (_req, res) => {
    res.redirect(302, '/docs');
  });

  router.get('/login', async (req, res) => {
    const next = safeNext(req.query.next);
    if (provider) return startProviderSignIn(provider, req, res, next);
    res.type('html').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title></head><body><h1>Sign in</h1><form method="post" action="/login?next=${encodeURIComponent(next)}"><label for="token">API token</label> <input id="token" name="token" type="password" autocomplete="off"> <button type="submit">Sign in</button></form></body></html>`,
    );
  });

  if (provider) router.get(provider.settings.redirectUrl.pathname, (req, res) => finishProviderSignIn(deps, provider, req, res, safeNext));

  router.post('/login', form, async (req, res) => {
    // With an identity provider, people sign in there; API tokens stay with the programs they were issued to.
    if (provider) return void res.status(403).type('html').send(messagePage('en', 'Sign in with your organisation account', 'This site signs people in through the organisation\'s identity provider: open /login.', 'refused'));
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const check = token ? await checkToken(deps.prisma, token) : null;
    if (!check?.ok) return void res.status(401).type('html').send(messagePage('en', 'Sign-in failed', 'That token is not valid: unknown, revoked or expired, or its user is deactivated.', 'refused'));
    await noteTokenUse(deps.prisma, check.token);
    await openSession(deps.prisma, req, res, { userId: check.token.userId, apiTokenId: check.token.id });
    res.redirect(303, safeNext(req.query.next));
  });

  router.post('/logout', async (req, res) => {
    await endSession(deps.prisma, req, res);
    // Back at /login the provider, still signed in itself, would sign the person straight in again.
    if (provider) return void res.status(200).type('html').send(messagePage('en', 'Signed out', 'You are signed out of this site. Sign in again at /login.', 'done'));
    res.redirect(303, '/login');
  });
}
