import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { loadEdgeSettings } from '../../config/env';
import { databaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const EVIL = 'https://evil.example';

/** The API as the harness builds it, with other edge settings (by environment variable) or dependencies. */
function variant(h: Harness, vars: NodeJS.ProcessEnv, deps: Partial<ApiDeps> = {}) {
  return supertest(createApp({ ...h.apiDeps, logger: pino({ level: 'silent' }), edge: loadEdgeSettings(vars), ...deps }));
}

function expectProblem(response: supertest.Response, status: number) {
  expect([response.status, response.headers['content-type']?.split(';')[0]]).toEqual([status, 'application/problem+json']);
}

describe.each(databaseKinds())('API edge: sign-in redirects, readiness, rate limits, cross-site posts, cookies (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const signIn = (next: string, http = h.http) => http.post(`/login?next=${next}`).type('form').send({ token: h.tokens.admin });

  it('after sign-in, redirects only to a path on this site (issue 15 item 4)', async () => {
    const attacks = ['/%5Cevil.com', '//evil.com', '/\\evil.com', '/%5C%5Cevil.com', 'https://evil.com', '/%2F%2Fevil.com', '/%09/evil.com', '/%0A/evil.com', '/%0D%0A/evil.com', '%2F%09%2Fevil.com', '/%5C/evil.com', 'javascript:alert(1)'];
    for (const next of attacks) {
      const response = await signIn(next);
      expect([next, response.status]).toEqual([next, 303]);
      const location = response.headers.location;
      expect([next, new URL(location, 'https://itsm.example').origin]).toEqual([next, 'https://itsm.example']);
      expect([next, location]).toEqual([next, expect.stringMatching(/^\/(?![/\\])[^\\\s]*$/)]);

      const form = await h.http.get(`/login?next=${next}`);
      expect(form.text).not.toMatch(/evil\.com/);
    }
    expect((await signIn('/%5Cevil.com')).headers.location).toBe('/');
    expect((await h.http.get('/')).headers.location).toBe('/docs');
    // A real path keeps its query and its encoded slashes, which stay part of the path.
    expect((await signIn(encodeURIComponent('/actions/abc%2Fdef?lang=en'))).headers.location).toBe('/actions/abc%2Fdef?lang=en');
  });

  it('/readyz probes once per few seconds and shows the probes’ errors to administrators only (item 6)', async () => {
    let probes = 0;
    const failingSmtp = {
      ...h.mailer,
      async verify() {
        probes += 1;
        throw new Error('Invalid login: 535 auth failed for itsm@smtp.internal.example:587');
      },
    };
    const http = variant(h, process.env, { mailer: failingSmtp });
    const [first, second] = await Promise.all([http.get('/readyz'), http.get('/readyz')]);
    const third = await http.get('/readyz');
    expect(probes).toBe(1);
    for (const response of [first, second, third]) {
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'not ready', components: { database: { status: 'up' }, temporal: { status: 'up' }, smtp: { status: 'down' } } });
      expect(response.text).not.toMatch(/auth failed|smtp\.internal|latency/);
    }
    for (const role of ['agent', 'manager', 'auditor'] as const) {
      expect((await http.get('/readyz').set(h.as(role))).text).not.toMatch(/auth failed/);
    }

    const admin = await http.get('/readyz').set(h.as('admin'));
    expect(admin.status).toBe(503);
    expect(admin.body.components.smtp).toEqual({ status: 'down', latencyMs: expect.any(Number), error: expect.stringContaining('auth failed') });
    expect(admin.body.components.database).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    const cookie = (await signIn('/readyz', http)).headers['set-cookie'];
    expect((await http.get('/readyz').set('Cookie', cookie)).body.components.smtp.error).toContain('auth failed');
    expect(probes).toBe(1);

    expectProblem(await http.get('/readyz').set('Authorization', 'Bearer itsm_forged'), 401);
  });

  it('the 101st sign-in attempt from one address within a minute is refused 429 (item 8, default limits)', async () => {
    const http = variant(h, {});
    for (let attempt = 1; attempt <= 100; attempt += 1) {
      expect([attempt, (await http.post('/login').type('form').send({ token: `itsm_guess_${attempt}` })).status]).toEqual([attempt, 401]);
    }
    const refused = await http.post('/login').type('form').send({ token: h.tokens.admin });
    expectProblem(refused, 429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/more than 100 sign-in attempts/);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('limits API calls per token, refusals per address and action-link requests per address (item 8)', async () => {
    const http = variant(h, { RATE_LIMIT_API_PER_MINUTE: '3', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2', RATE_LIMIT_ACTIONS_PER_MINUTE: '2' });
    for (let call = 0; call < 3; call += 1) expect((await http.get('/api/services').set(h.as('agent'))).status).toBe(200);
    const limited = await http.get('/api/services').set(h.as('agent'));
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another token from the same address has its own budget; valid calls never used the address's.
    expect((await http.get('/api/services').set(h.as('manager'))).status).toBe(200);
    // The limiter keys on a digest: nothing in the answer carries the token.
    expect(JSON.stringify(limited.headers) + limited.text).not.toContain(h.tokens.agent);

    expectProblem(await http.get('/api/services'), 401);
    expectProblem(await http.get('/api/services').set('Authorization', 'Bearer itsm_forged_1'), 401);
    expectProblem(await http.get('/api/services').set('Authorization', 'Bearer itsm_forged_2'), 429);

    expect((await http.get('/actions/not-a-link')).status).toBe(400);
    expect((await http.get('/actions/not-a-link')).status).toBe(400);
    expectProblem(await http.get('/actions/not-a-link'), 429);
  });

  it('authenticates before reading a body: an anonymous megabyte is a 401, not a parse error (item 8)', async () => {
    const before = await h.db.prisma.incident.count();
    const junk = `{"title": "${'x'.repeat(1024 * 1024)}`;
    for (const body of [junk, `${junk}${junk}`]) {
      const anonymous = await h.http.post('/api/incidents').set('Content-Type', 'application/json').send(body);
      expectProblem(anonymous, 401);
      const forged = await h.http.post('/api/incidents').set('Authorization', 'Bearer itsm_forged').set('Content-Type', 'application/json').send(body);
      expectProblem(forged, 401);
    }
    // With a valid token the same bodies are read, and refused for what they are.
    expectProblem(await h.http.post('/api/incidents').set(h.as('agent')).set('Content-Type', 'application/json').send(junk.slice(0, 1000)), 400);
    expectProblem(await h.http.post('/api/incidents').set(h.as('agent')).set('Content-Type', 'application/json').send(`${junk}${junk}`), 413);
    expect(await h.db.prisma.incident.count()).toBe(before);
  });

  it('refuses sign-in, sign-out and action posts from another site (item 10)', async () => {
    // Our own pages make browsers name their origin on form posts (with no-referrer they would send "null").
    expect((await h.http.get('/login')).headers['referrer-policy']).toBe('same-origin');
    for (const headers of [{ Origin: EVIL }, { Origin: 'null' }, { Referer: `${EVIL}/phish` }]) {
      const login = await h.http.post('/login').set(headers).type('form').send({ token: h.tokens.admin });
      expectProblem(login, 403);
      expect(login.headers['set-cookie']).toBeUndefined();
    }
    const same = await h.http.post('/login?next=/readyz').set('Origin', h.baseUrl).type('form').send({ token: h.tokens.admin });
    expect([same.status, same.headers.location]).toEqual([303, '/readyz']);
    const cookie = same.headers['set-cookie'];
    expect(cookie[0]).toMatch(/^itsm_session=itsm_/);

    const logout = await h.http.post('/logout').set('Cookie', cookie).set('Origin', EVIL);
    expectProblem(logout, 403);
    expect(logout.headers['set-cookie']).toBeUndefined();
    // The session still signs its holder in (administrators read readiness details).
    expect((await h.http.get('/readyz').set('Cookie', cookie)).body.components.database.latencyMs).toEqual(expect.any(Number));
    const ownLogout = await h.http.post('/logout').set('Cookie', cookie).set('Referer', `${h.baseUrl}/docs`);
    expect(ownLogout.status).toBe(303);
    expect(ownLogout.headers['set-cookie'][0]).toMatch(/^itsm_session=;/);

    const uses = await h.db.prisma.actionTokenUse.count();
    expectProblem(await h.http.post('/actions/some-link').set('Cookie', cookie).set('Origin', EVIL).type('form').send({ decision: 'approve' }), 403);
    expect(await h.db.prisma.actionTokenUse.count()).toBe(uses);
  });

  it('marks the session cookie Secure outside the embedded stack, even over plain http behind a proxy (item 11)', async () => {
    const cookieOf = async (vars: NodeJS.ProcessEnv) => (await signIn('/docs', variant(h, vars))).headers['set-cookie'][0] as string;
    expect(await cookieOf({})).not.toMatch(/;\s*Secure/i);
    expect(await cookieOf({ NODE_ENV: 'production' })).toMatch(/;\s*Secure/i);
    expect(await cookieOf({ PUBLIC_URL: 'https://itsm.example.com' })).toMatch(/;\s*Secure/i);
    expect(await cookieOf({ NODE_ENV: 'production', SESSION_COOKIE_SECURE: 'false' })).not.toMatch(/;\s*Secure/i);
    expect(await cookieOf({ SESSION_COOKIE_SECURE: 'true' })).toMatch(/;\s*Secure/i);
    // On the embedded default, TLS terminated by a trusted (loopback) proxy still counts.
    expect((await signIn('/docs').set('X-Forwarded-Proto', 'https')).headers['set-cookie'][0]).toMatch(/;\s*Secure/i);
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names (item 11)', async () => {
    const attempts = async (vars: NodeJS.ProcessEnv) => {
      const http = variant(h, { ...vars, RATE_LIMIT_LOGIN_PER_MINUTE: '1' });
      const statuses = [];
      for (const client of ['203.0.113.1', '203.0.113.2']) statuses.push((await http.post('/login').set('X-Forwarded-For', client).type('form').send({ token: 'itsm_guess' })).status);
      return statuses;
    };
    // The test client connects from loopback: trusted by default, so each forwarded address has its own budget.
    expect(await attempts({})).toEqual([401, 401]);
    expect(await attempts({ TRUST_PROXY: 'false' })).toEqual([401, 429]);
    expect(await attempts({ TRUST_PROXY: '10.0.0.0/8' })).toEqual([401, 429]);
  });
});
