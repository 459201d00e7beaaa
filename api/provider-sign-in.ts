import type { Request, Response } from 'express';
import { messagePage } from './action-pages';
import type { ApiDeps } from './deps';
import type { IdentityProvider, ProviderClaims } from './identity-provider';
import { IDENTITY_REFUSALS, syncProviderUser } from './identity-sync';
import { cookieValue, openSession, setCookie } from './sessions';

/** What the browser carries from the start of a sign-in to the provider's answer; only the callback reads it. */
const PENDING_COOKIE = 'itsm_sign_in';
const PENDING_MS = 10 * 60_000;

interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

function readPending(req: Request): PendingSignIn | null {
  try {
    const pending = JSON.parse(Buffer.from(cookieValue(req, PENDING_COOKIE) ?? '', 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    return [pending.state, pending.nonce, pending.verifier, pending.next].every((value) => typeof value === 'string') ? (pending as PendingSignIn) : null;
  } catch {
    return null;
  }
}

const refuse = (res: Response, status: number, message: string) => void res.status(status).type('html').send(messagePage('en', 'Sign-in failed', message, 'refused'));

/**
 * Sends the browser to the provider (authorization code flow with PKCE). The state, nonce and code verifier stay
 * in an HttpOnly cookie scoped to the callback: the answer is accepted only in the browser that asked for it.
 */
export async function startProviderSignIn(provider: IdentityProvider, req: Request, res: Response, next: string) {
  const { openid, configuration } = await provider.client();
  const pending: PendingSignIn = { state: openid.randomState(), nonce: openid.randomNonce(), verifier: openid.randomPKCECodeVerifier(), next };
  const url = openid.buildAuthorizationUrl(configuration, {
    redirect_uri: provider.settings.redirectUrl.href,
    scope: provider.settings.scopes,
    code_challenge: await openid.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  setCookie(req, res, PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), PENDING_MS, provider.settings.redirectUrl.pathname);
  res.redirect(303, url.href);
}

/**
 * The provider's answer: the code is exchanged (with the verifier) for tokens whose ID token must carry this
 * browser's nonce, the person is provisioned or brought up to date from the claims, and a session begins. A
 * deactivated person is refused here, whatever the provider says.
 */
export async function finishProviderSignIn(deps: Pick<ApiDeps, 'prisma'>, provider: IdentityProvider, req: Request, res: Response, afterSignIn: (next: string) => string) {
  const pending = readPending(req);
  setCookie(req, res, PENDING_COOKIE, '', 0, provider.settings.redirectUrl.pathname);
  if (!pending) return refuse(res, 400, 'This sign-in expired or was started in another browser. Nothing was changed; sign in again at /login.');
  const { openid, configuration } = await provider.client();
  // The provider redirected to the registered URL; behind a proxy this request's own URL may name another host.
  const callback = new URL(provider.settings.redirectUrl);
  callback.search = new URL(req.originalUrl, callback).search;
  let claims: ProviderClaims;
  try {
    const tokens = await openid.authorizationCodeGrant(configuration, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    const identity = tokens.claims()!;
    // Providers put groups and profile in the ID token, the userinfo answer, or both.
    const userinfo = configuration.serverMetadata().userinfo_endpoint ? await openid.fetchUserInfo(configuration, tokens.access_token, identity.sub) : {};
    claims = { ...identity, ...userinfo, sub: identity.sub };
  } catch (error) {
    if (!(error instanceof openid.ClientError || error instanceof openid.AuthorizationResponseError || error instanceof openid.ResponseBodyError)) throw error;
    // The message names the failed check (state, nonce, an error code); never a code or a token.
    req.log?.warn({ reason: error.message }, 'sign-in through the identity provider failed');
    return refuse(res, 401, 'The identity provider did not sign you in. Nothing was changed; sign in again at /login.');
  }
  const synced = await syncProviderUser(deps.prisma, provider.settings, claims, 'sign-in');
  if ('refusal' in synced) return refuse(res, 403, `You cannot sign in here: ${IDENTITY_REFUSALS[synced.refusal]}.`);
  await openSession(deps.prisma, req, res, { userId: synced.user.id });
  res.redirect(303, afterSignIn(pending.next));
}
