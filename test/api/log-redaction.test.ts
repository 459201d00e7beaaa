import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import supertest from 'supertest';
import { signActionToken } from '../../records/mail/action-tokens';
import { createApp } from '../../api/app';
import { generateToken } from '../../api/tokens';
import { createLogger } from '../../config/logger';
import { runtimeLogger } from '../../workers/runtime-logger';
import { freshDatabase } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

// The redaction lives in the HTTP and logging layers, not in the database: one database kind is enough here.
describe('the log holds no token, cookie or action link', () => {
  let h: Harness;
  let logFile: string;
  let http: ReturnType<typeof supertest>;
  let brokenHttp: ReturnType<typeof supertest>;
  let logger: pino.Logger;
  const used: string[] = [];
  const use = (secret: string) => (used.push(secret), secret);

  beforeAll(async () => {
    h = await startHarness('pglite');
    logFile = path.join(process.env.ITSM_TEST_RUN_DIR!, `api-log-${process.pid}-${Date.now()}.ndjson`);
    // The product's own logger, at debug, writing synchronously to a file the test reads back.
    logger = createLogger({ LOG_LEVEL: 'debug' }, 'itsm-log-test', pino.destination({ dest: logFile, sync: true }));
    http = supertest(createApp({ ...h.apiDeps, logger }));
    // A database that has gone away: every request fails inside the API and is logged as an unhandled error.
    const gone = await freshDatabase('pglite');
    await gone.close();
    brokenHttp = supertest(createApp({ ...h.apiDeps, prisma: gone.prisma, logger }));
  });
  afterAll(() => h?.close());

  it('redacts bearer tokens, session cookies, Set-Cookie, action-link paths and secrets in error text', async () => {
    const admin = use(h.tokens.admin);
    expect((await http.get('/api/tokens').set('Authorization', `Bearer ${admin}`)).status).toBe(200);

    const issued = await http.post('/api/tokens').set('Authorization', `Bearer ${admin}`).send({ label: 'log test' });
    expect(issued.status).toBe(201);
    const fresh = use(issued.body.token);
    expect((await http.get('/api/incidents').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    expect((await http.post(`/api/tokens/${issued.body.id}/revoke`).set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    expect((await http.get('/api/tokens').set('Authorization', `Bearer ${fresh}`)).status).toBe(401);
    // Secrets that were never valid are still secrets (a typo of a real one, an operator's own format).
    expect((await http.get('/api/services').set('Authorization', `Bearer ${use(generateToken())}`)).status).toBe(401);
    expect((await http.get('/api/services').set('Authorization', `bearer ${use('operator-chosen-secret-0123456789')}`)).status).toBe(401);

    // Sign-in: the token travels in the form body, a session id comes back in Set-Cookie; the redirect names an action link.
    const requester = use(h.tokens.requester);
    const link = use(await signActionToken(h.apiDeps.actionSecret, { act: 'satisfaction-survey', surveyId: randomUUID(), approverId: h.userIds.requester, jti: randomUUID(), expiresAt: Date.now() + 3_600_000 }));
    const signIn = await http.post(`/login?next=${encodeURIComponent(`/actions/${link}`)}`).type('form').send({ token: requester });
    expect([signIn.status, signIn.headers.location]).toEqual([303, `/actions/${link}`]);
    const session = (signIn.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    expect(session).toMatch(/^itsm_session=itsm_[A-Za-z0-9_-]{43}$/);
    use(session.slice('itsm_session='.length));
    expect((await http.get(`/actions/${link}?score=4`).set('Cookie', `theme=dark; ${session}`)).status).not.toBe(401);
    expect((await http.get(`/actions/${use('not.a-valid.link')}`)).status).toBe(400);

    const failed = await brokenHttp.get('/api/incidents').set('Authorization', `Bearer ${admin}`).set('Cookie', session);
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain(admin);

    // Anything else that logs an error: its text may quote a credential it was handed.
    logger.error({ err: new Error(`upstream refused https://itsm.example.com/actions/${link} for Bearer ${admin}`) }, 'mail delivery failed');
    runtimeLogger(logger).warn('Activity failed', { error: new Error(`could not deliver /actions/${link}`), activityType: 'sendNotification' });

    const log = readFileSync(logFile, 'utf8');
    const lines = log.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; req?: { url: string; headers: Record<string, string> }; res?: { headers: Record<string, string> } });
    // The log is really there: every request line, the failure, the error text.
    expect(lines.filter((line) => line.msg === 'request completed').length).toBeGreaterThanOrEqual(9);
    expect(lines.some((line) => line.msg === 'unhandled error')).toBe(true);
    expect(lines.some((line) => line.msg === 'Activity failed')).toBe(true);

    // None of the secrets used, anywhere in the log.
    expect(used.length).toBeGreaterThanOrEqual(7);
    for (const secret of used) expect(log.includes(secret) ? `log contains ${secret.slice(0, 8)}…` : 'absent').toBe('absent');
    expect(log).not.toMatch(/itsm_session=(?!\[redacted\])/);

    expect(lines.find((line) => line.req?.url.startsWith('/actions/') && line.req.url.endsWith('?score=4'))?.req?.url).toBe('/actions/[redacted]?score=4');
    expect(lines.find((line) => line.req?.url.startsWith('/login'))?.req?.url).toBe('/login?next=%2Factions%2F[redacted]');
    expect(lines.find((line) => line.res?.headers.location)?.res?.headers).toMatchObject({ location: '/actions/[redacted]', 'set-cookie': '[redacted]' });
    expect(lines.find((line) => line.msg === 'unhandled error')?.req?.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
  });
});
