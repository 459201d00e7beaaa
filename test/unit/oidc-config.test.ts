import { ConfigError, loadEnv, oidcSettings } from '../../config/env';
import { redactSecrets } from '../../config/logger';

const provider = { OIDC_ISSUER: 'https://sso.example.org/realms/acme', OIDC_CLIENT_ID: 'itsm', OIDC_CLIENT_SECRET: 'a-client-secret', PUBLIC_URL: 'https://itsm.example.org' };

describe('OIDC settings: checked at start-up, naming the variable', () => {
  it('defaults: redirect to PUBLIC_URL/auth/callback, the client id as audience, the groups claim, asymmetric algorithms', () => {
    expect(oidcSettings(loadEnv({}))).toBeUndefined();
    expect(oidcSettings(loadEnv(provider))).toMatchObject({
      redirectUrl: new URL('https://itsm.example.org/auth/callback'),
      audience: 'itsm',
      groupsClaim: 'groups',
      adminGroup: null,
      algorithms: ['RS256', 'PS256', 'ES256'],
      trustEmail: false,
    });
    expect(oidcSettings(loadEnv({ ...provider, OIDC_TRUST_EMAIL: 'true' }))?.trustEmail).toBe(true);
  });

  it.each([
    [{ OIDC_ISSUER: provider.OIDC_ISSUER }, 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together'],
    [{ ...provider, OIDC_ISSUER: 'http://sso.example.org/realms/acme' }, 'OIDC_ISSUER must be an https:// URL'],
    [{ ...provider, OIDC_REDIRECT_URL: 'https://elsewhere.example.net/auth/callback' }, "OIDC_REDIRECT_URL must be on PUBLIC_URL's site"],
    [{ ...provider, OIDC_ALGORITHMS: 'RS256,HS256' }, 'OIDC_ALGORITHMS'],
    [{ ...provider, OIDC_ALGORITHMS: 'none' }, 'OIDC_ALGORITHMS'],
  ])('refuses %j', (vars, message) => {
    expect(() => loadEnv(vars)).toThrow(ConfigError);
    expect(() => loadEnv(vars)).toThrow(message);
  });

  it('accepts plain http only for a provider on loopback', () => {
    expect(oidcSettings(loadEnv({ ...provider, OIDC_ISSUER: 'http://127.0.0.1:9000', PUBLIC_URL: undefined }))?.issuer.href).toBe('http://127.0.0.1:9000/');
  });
});

describe('the sign-in callback in the log', () => {
  it("keeps the provider's authorization code out of a logged URL", () => {
    expect(redactSecrets('/auth/callback?code=Sy1QNiSecretCode_-&state=abc&iss=x')).toBe('/auth/callback?code=[redacted]&state=abc&iss=x');
  });
});
