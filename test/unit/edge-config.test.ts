import { ConfigError, edgeSettings, loadEdgeSettings, loadEnv } from '../../config/env';

describe('edge settings: trusted proxies, session cookie, rate limits, token cache', () => {
  it('defaults: loopback proxies, Secure by request on the embedded stack, 12-hour sessions, generous limits, token checks held 5 s', () => {
    expect(loadEdgeSettings({})).toEqual({
      trustProxy: ['loopback'],
      sessionCookieSecure: 'request',
      sessionHours: 12,
      limits: { loginPerMinute: 100, actionsPerMinute: 300, apiPerMinute: 1000, unauthenticatedPerMinute: 300 },
      tokenCacheSeconds: 5,
    });
    expect(edgeSettings(loadEnv({}))).toEqual(loadEdgeSettings({}));
  });

  it.each([
    ['false', false],
    ['loopback', ['loopback']],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.7,loopback', ['10.0.0.0/8', '192.168.1.7', 'loopback']],
    ['fd00::/8,::1', ['fd00::/8', '::1']],
  ])('TRUST_PROXY=%s is accepted', (value, trustProxy) => {
    expect(loadEdgeSettings({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  // `true` would let every client name its own address (X-Forwarded-For) and so its own rate-limit bucket.
  it.each(['true', 'yes', '', '10.0.0.0/33', '300.1.1.1', 'proxy.internal', '10.0.0.1/8/8', '-1'])('TRUST_PROXY=%j stops start-up with a message naming it', (value) => {
    expect(() => loadEnv({ TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadEnv({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: false, loopback, a hop count/);
  });

  it('the session cookie is Secure outside the embedded stack unless set otherwise', () => {
    const secure = (vars: NodeJS.ProcessEnv) => loadEdgeSettings(vars).sessionCookieSecure;
    expect(secure({})).toBe('request');
    expect(secure({ PUBLIC_URL: 'http://itsm.lan:3000' })).toBe('request');
    expect(secure({ PUBLIC_URL: 'https://itsm.example.com' })).toBe(true);
    expect(secure({ NODE_ENV: 'production' })).toBe(true);
    expect(secure({ NODE_ENV: 'production', SESSION_COOKIE_SECURE: 'false' })).toBe(false);
    expect(secure({ SESSION_COOKIE_SECURE: 'true' })).toBe(true);
    expect(() => loadEnv({ SESSION_COOKIE_SECURE: 'always' })).toThrow(/SESSION_COOKIE_SECURE/);
  });

  it('rate limits are positive whole numbers per minute', () => {
    expect(loadEdgeSettings({ RATE_LIMIT_LOGIN_PER_MINUTE: '20', RATE_LIMIT_API_PER_MINUTE: '5000' }).limits).toMatchObject({ loginPerMinute: 20, apiPerMinute: 5000 });
    for (const name of ['RATE_LIMIT_LOGIN_PER_MINUTE', 'RATE_LIMIT_ACTIONS_PER_MINUTE', 'RATE_LIMIT_API_PER_MINUTE', 'RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE']) {
      for (const value of ['0', '1.5', 'many']) expect(() => loadEnv({ [name]: value })).toThrow(new RegExp(name));
    }
  });

  it('TOKEN_CACHE_SECONDS is 0 (off) to 60 whole seconds: longer, another process would honour a revoked token too long', () => {
    expect(loadEdgeSettings({ TOKEN_CACHE_SECONDS: '0' }).tokenCacheSeconds).toBe(0);
    expect(loadEdgeSettings({ TOKEN_CACHE_SECONDS: '30' }).tokenCacheSeconds).toBe(30);
    for (const value of ['-1', '61', '2.5', 'soon']) expect(() => loadEnv({ TOKEN_CACHE_SECONDS: value })).toThrow(/TOKEN_CACHE_SECONDS/);
  });
});
