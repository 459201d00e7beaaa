import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { OidcSettings } from '../../config/env';
import { identityProvider, type IdentityProvider } from '../../api/identity-provider';

/** A person known to the test provider; `groups` may change between sign-ins, as at a real one. */
export interface ProviderAccount {
  email: string;
  name: string;
  locale?: string;
  groups: string[];
}

const jose = () => import('jose');
type SigningKey = Awaited<ReturnType<Awaited<ReturnType<typeof jose>>['generateKeyPair']>>['privateKey'];

export const API_AUDIENCE = 'itsm-api';
const API_RESOURCE = 'urn:itsm:api';
const WEB_CLIENT = { id: 'itsm-web', secret: 'itsm-web-secret-for-the-test-provider' };
const CLI_CLIENT = { id: 'itsm-cli', redirect: 'http://127.0.0.1/cli-callback' };

export interface TestProvider {
  issuer: string;
  accounts: Map<string, ProviderAccount>;
  /** The provider's own signing key, for tokens that only fail on one claim (audience, expiry). */
  signingKey: SigningKey;
  /** The API's side: OIDC settings for this provider, built once the API's URL is known. */
  connect(baseUrl: string): Promise<IdentityProvider>;
  /** An access token for the API, issued to the command-line client after `login` signs in at the login page. */
  accessToken(browser: Browser, login: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider) on loopback: its own login page, code flow with PKCE required,
 * RS256 ID tokens, opaque access tokens for userinfo, and JWT access tokens for the API resource. Any password is
 * accepted for a known login; consent is implied, as for a first-party application.
 */
export async function startTestProvider(): Promise<TestProvider> {
  const { default: Provider } = await import('oidc-provider');
  const { generateKeyPair, exportJWK } = await jose();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publishedKey = { ...(await exportJWK(privateKey)), kid: 'test-provider-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, ProviderAccount>();
  const claimsOf = (login: string) => {
    const account = accounts.get(login)!;
    return { sub: login, email: account.email, email_verified: true, name: account.name, locale: account.locale, groups: account.groups };
  };

  // The web client's redirect URL names the API's port, known only once the API listens.
  const start = (redirectUri: string) => new Provider(issuer, {
    clients: [
      { client_id: WEB_CLIENT.id, client_secret: WEB_CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] },
      { client_id: CLI_CLIENT.id, token_endpoint_auth_method: 'none', redirect_uris: [CLI_CLIENT.redirect], grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    jwks: { keys: [publishedKey] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { email: ['email', 'email_verified'], profile: ['name', 'locale'], groups: ['groups'] },
    cookies: { keys: ['test-provider-cookie-key'] },
    findAccount: (_ctx, id) => (accounts.has(id) ? { accountId: id, claims: () => claimsOf(id) } : undefined),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: API_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    // The groups a JWT access token carries, as Keycloak's and Entra ID's do when configured to.
    extraTokenClaims: (_ctx, token) => (token.kind === 'AccessToken' && token.accountId ? { email: accounts.get(token.accountId)?.email, groups: accounts.get(token.accountId)?.groups } : undefined),
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      const resource = ctx.oidc.params?.resource;
      if (typeof resource === 'string') grant.addResourceScope(resource, 'api');
      await grant.save();
      return grant;
    },
  });

  return {
    issuer,
    accounts,
    signingKey: privateKey,
    async connect(baseUrl) {
      server.on('request', start(`${baseUrl}/auth/callback`).callback());
      return identityProvider(testSettings(issuer, baseUrl));
    },
    async accessToken(browser, login) {
      const openid = await import('openid-client');
      const config = await openid.discovery(new URL(issuer), CLI_CLIENT.id, undefined, openid.None(), { execute: [openid.allowInsecureRequests] });
      const verifier = openid.randomPKCECodeVerifier();
      const url = openid.buildAuthorizationUrl(config, { redirect_uri: CLI_CLIENT.redirect, scope: 'openid api', resource: API_RESOURCE, code_challenge: await openid.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const context = await browser.newContext();
      const page = await context.newPage();
      await keepToLoopback(page);
      await page.goto(url.href);
      // Nothing listens at the client's redirect URL: the browser's request to it is all that is needed.
      const [answer] = await Promise.all([page.waitForRequest((request) => request.url().startsWith(CLI_CLIENT.redirect)), submitLogin(page, login)]);
      await context.close();
      const tokens = await openid.authorizationCodeGrant(config, new URL(answer.url()), { pkceCodeVerifier: verifier, idTokenExpected: false }, { resource: API_RESOURCE });
      return tokens.access_token;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function testSettings(issuer: string, baseUrl: string): OidcSettings {
  return {
    issuer: new URL(issuer),
    clientId: WEB_CLIENT.id,
    clientSecret: WEB_CLIENT.secret,
    redirectUrl: new URL(`${baseUrl}/auth/callback`),
    audience: API_AUDIENCE,
    groupsClaim: 'groups',
    adminGroup: 'itsm-admins',
    scopes: 'openid email profile groups',
    algorithms: ['RS256', 'PS256', 'ES256'],
    trustEmail: false,
  };
}

/** The provider's dev login page pulls a web font; nothing outside loopback is reachable here. */
export const keepToLoopback = (page: Page) => page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());

/** The provider's own login form: any password is accepted for a known login. */
export async function submitLogin(page: Page, login: string) {
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
}

/** Signs in through the API's /login: to the provider's login page and back to `next`, in this page's context. */
export async function signInThroughProvider(page: Page, baseUrl: string, login: string, next = '/healthz') {
  await keepToLoopback(page);
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await Promise.all([page.waitForURL(`${baseUrl}${next}**`), submitLogin(page, login)]);
}
