import { oidcSettings, type Env, type OidcSettings } from '../config/env';
import type { TokenRefusal } from './tokens';

// openid-client and jose are published as ES modules only; dynamic imports load them from this CommonJS code.
const openid = () => import('openid-client');
const jose = () => import('jose');

type OpenId = Awaited<ReturnType<typeof openid>>;
export type ProviderConfiguration = Awaited<ReturnType<OpenId['discovery']>>;
export type ProviderClaims = Record<string, unknown> & { sub: string };

/** The organisation's OpenID provider as this API uses it: the sign-in client, and the verifier of its access tokens. */
export interface IdentityProvider {
  settings: OidcSettings;
  client(): Promise<{ openid: OpenId; configuration: ProviderConfiguration }>;
  /** An access token's claims when this provider signed it for this API and it is current; otherwise why not. */
  verifyAccessToken(token: string): Promise<{ claims: ProviderClaims } | { refusal: TokenRefusal }>;
}

export function identityProvider(settings: OidcSettings): IdentityProvider {
  let discovered: Promise<{ openid: OpenId; configuration: ProviderConfiguration }> | undefined;
  let keySet: ReturnType<Awaited<ReturnType<typeof jose>>['createRemoteJWKSet']> | undefined;

  function client() {
    discovered ??= (async () => {
      const library = await openid();
      // Plain http is accepted by the configuration only for a provider on loopback (a test or a demo).
      const options = settings.issuer.protocol === 'http:' ? { execute: [library.allowInsecureRequests] } : undefined;
      const configuration = await library.discovery(settings.issuer, settings.clientId, settings.clientSecret, undefined, options);
      return { openid: library, configuration };
    })().catch((error: unknown) => {
      // A provider that was unreachable is asked again by the next request instead of failing until a restart.
      discovered = undefined;
      throw error;
    });
    return discovered;
  }

  async function verifyAccessToken(token: string): Promise<{ claims: ProviderClaims } | { refusal: TokenRefusal }> {
    const { jwtVerify, createRemoteJWKSet, errors } = await jose();
    const metadata = (await client()).configuration.serverMetadata();
    // jose caches the key set and fetches it again when a token names a key it has not seen (key rotation).
    keySet ??= createRemoteJWKSet(new URL(metadata.jwks_uri!));
    try {
      const { payload } = await jwtVerify(token, keySet, { issuer: metadata.issuer, audience: settings.audience, algorithms: settings.algorithms, requiredClaims: ['exp', 'sub'] });
      return { claims: payload as ProviderClaims };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { refusal: 'expired' };
      // The provider being unreachable is not the caller's fault: a 500, not a 401 that would send them to sign in.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) throw error;
      return { refusal: 'unknown' };
    }
  }

  return { settings, client, verifyAccessToken };
}

/** The provider the environment configures (OIDC_ISSUER and its companions), if any. */
export function identityProviderFromEnv(env: Env): IdentityProvider | undefined {
  const settings = oidcSettings(env);
  return settings && identityProvider(settings);
}
