import { randomUUID } from 'node:crypto';
import { signActionToken } from '../../records/mail/action-tokens';
import { forgetTokenGrants } from '../../api/token-cache';
import { TOKEN_USE_RESOLUTION_MS } from '../../api/tokens';
import { databaseKinds } from '../support/databases';
import { startHarness, type DemoRole, type Harness } from '../support/harness';

const ROLES: DemoRole[] = ['admin', 'agent', 'manager', 'requester', 'cab1', 'auditor'];

describe.each(databaseKinds())('API tokens: issue, list, revoke, expiry, deactivation, last use (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
  const issue = (role: DemoRole, body: object) => h.http.post('/api/tokens').set(h.as(role)).send(body);
  const row = (id: string) => h.db.prisma.apiToken.findUniqueOrThrow({ where: { id } });
  const expect401 = (response: { status: number; headers: Record<string, string>; body: { detail: string } }, reason: RegExp) => {
    expect([response.status, response.headers['content-type']?.split(';')[0]]).toEqual([401, 'application/problem+json']);
    expect(response.body.detail).toMatch(reason);
  };

  it('every role lists, issues and revokes its own tokens; the secret is shown once and never listed', async () => {
    for (const role of ROLES) {
      const issued = await issue(role, { label: `${role} laptop` });
      expect(issued.status).toBe(201);
      expect(issued.headers['cache-control']).toBe('no-store');
      expect(issued.body).toMatchObject({ userId: h.userIds[role], label: `${role} laptop`, status: 'active', expiresAt: null, lastUsedAt: null, revokedAt: null });
      expect(issued.body.token).toMatch(/^itsm_[A-Za-z0-9_-]{43}$/);

      const listed = await h.http.get('/api/tokens').set(bearer(issued.body.token));
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(issued.body.id);
      for (const token of listed.body.items) {
        expect(token.userId).toBe(h.userIds[role]);
        expect(Object.keys(token).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt', 'revokedAt', 'revokedById', 'status', 'userId']);
      }
      expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);

      const revoked = await h.http.post(`/api/tokens/${issued.body.id}/revoke`).set(h.as(role));
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: issued.body.id, status: 'revoked', revokedById: h.userIds[role] });
      expect401(await h.http.get('/api/tokens').set(bearer(issued.body.token)), /revoked/);
      const again = await h.http.post(`/api/tokens/${issued.body.id}/revoke`).set(h.as(role));
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ currentState: 'revoked', token: { id: issued.body.id, revokedAt: revoked.body.revokedAt } });
    }
  });

  it('refuses bad input with a 400 naming the field, and an unknown token with a 404', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [object, string][] = [
      [{}, 'label'],
      [{ label: '   ' }, 'label'],
      [{ label: 'x'.repeat(101) }, 'label'],
      [{ label: 'ci', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [{ label: 'ci', expiresAt: 'next tuesday' }, 'expiresAt'],
      [{ label: 'ci', expiresInDays: 0 }, 'expiresInDays'],
      [{ label: 'ci', expiresInDays: 1.5 }, 'expiresInDays'],
      [{ label: 'ci', expiresInDays: 3651 }, 'expiresInDays'],
      [{ label: 'ci', expiresAt: future, expiresInDays: 3 }, 'expiresInDays'],
      [{ label: 'ci', userId: 'me' }, 'userId'],
      [{ label: 'ci', userId: randomUUID() }, 'userId'],
      [{ label: 'ci', token: 'my-own-secret-please' }, 'token'],
    ];
    for (const [body, field] of cases) {
      const response = await issue('admin', body);
      expect([JSON.stringify(body), response.status, response.headers['content-type']?.split(';')[0]]).toEqual([JSON.stringify(body), 400, 'application/problem+json']);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const badQuery = await h.http.get('/api/tokens').query({ userId: 'someone' }).set(h.as('admin'));
    expect([badQuery.status, badQuery.body.errors?.[0]?.field]).toEqual([400, 'userId']);
    const badId = await h.http.post('/api/tokens/not-a-token/revoke').set(h.as('agent'));
    expect([badId.status, badId.body.errors?.[0]?.field]).toEqual([400, 'id']);
    expect((await h.http.post(`/api/tokens/${randomUUID()}/revoke`).set(h.as('agent'))).status).toBe(404);
    expect((await h.http.get('/api/tokens').query({ userId: randomUUID() }).set(h.as('admin'))).status).toBe(404);
    expect(await h.db.prisma.apiToken.count({ where: { label: 'ci' } })).toBe(0);
  });

  it('sets the expiry asked for, and answers 401 for an expired token', async () => {
    const inAWeek = await issue('agent', { label: 'a week', expiresInDays: 7 });
    expect(inAWeek.status).toBe(201);
    expect(Math.abs(Date.parse(inAWeek.body.expiresAt) - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const untilThen = await issue('agent', { label: 'an hour', expiresAt: at });
    expect(untilThen.body.expiresAt).toBe(at);
    expect((await h.http.get('/api/tokens').set(bearer(untilThen.body.token))).status).toBe(200);

    // The API issues no token that is already expired; time passing is the database's to show, and this API
    // learns of it when its cached check of the token runs out, as it would of another process's change.
    await h.db.prisma.apiToken.update({ where: { id: untilThen.body.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    forgetTokenGrants(h.db.prisma);
    expect401(await h.http.get('/api/tokens').set(bearer(untilThen.body.token)), /expired/);
    const listed = await h.http.get('/api/tokens').set(h.as('agent'));
    expect(listed.body.items.find((t: { id: string }) => t.id === untilThen.body.id)).toMatchObject({ status: 'expired' });
  });

  it("a non-admin cannot list, issue or revoke another person's tokens (403, nothing changed); an admin can", async () => {
    const agents = await issue('agent', { label: 'agent desk' });
    const refused = await h.http.post(`/api/tokens/${agents.body.id}/revoke`).set(h.as('requester'));
    expect([refused.status, refused.headers['content-type']?.split(';')[0]]).toEqual([403, 'application/problem+json']);
    expect(await row(agents.body.id)).toMatchObject({ revokedAt: null, revokedById: null });
    expect((await h.http.get('/api/tokens').set(bearer(agents.body.token))).status).toBe(200);
    expect((await h.http.get('/api/tokens').query({ userId: h.userIds.agent }).set(h.as('manager'))).status).toBe(403);
    const before = await h.db.prisma.apiToken.count();
    expect((await issue('manager', { label: 'for the agent', userId: h.userIds.agent })).status).toBe(403);
    expect(await h.db.prisma.apiToken.count()).toBe(before);

    const seen = await h.http.get('/api/tokens').query({ userId: h.userIds.agent }).set(h.as('admin'));
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((t: { id: string }) => t.id)).toContain(agents.body.id);
    const revoked = await h.http.post(`/api/tokens/${agents.body.id}/revoke`).set(h.as('admin'));
    expect(revoked.status).toBe(200);
    expect(await row(agents.body.id)).toMatchObject({ revokedById: h.userIds.admin, revokedAt: expect.any(Date) });
    expect401(await h.http.get('/api/tokens').set(bearer(agents.body.token)), /revoked/);

    // An administrator hands a new person their first token; it carries that person's roles, not the admin's.
    const handed = await issue('admin', { label: 'welcome', userId: h.userIds.requester });
    expect(handed.body).toMatchObject({ userId: h.userIds.requester });
    expect((await h.http.get('/api/users').set(bearer(handed.body.token))).status).toBe(403);
  });

  it("a deactivated user's bearer tokens and browser session stop working at once", async () => {
    const { body: issued } = await issue('requester', { label: 'browser' });
    const signIn = await h.http.post('/login').type('form').send({ token: issued.token });
    expect(signIn.status).toBe(303);
    const session = (signIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('itsm_session='))!.split(';')[0];
    // A link addressed to the agent: the requester's live session is recognised as someone else (403).
    const link = await signActionToken(h.apiDeps.actionSecret, { act: 'satisfaction-survey', surveyId: randomUUID(), approverId: h.userIds.agent, jti: randomUUID(), expiresAt: Date.now() + 3_600_000 });
    expect((await h.http.get(`/actions/${link}`).set('Cookie', session)).status).toBe(403);

    expect((await h.http.get('/api/tokens').set(bearer(issued.token))).status).toBe(200);
    expect((await h.http.post(`/api/users/${h.userIds.requester}/deactivate`).set(h.as('admin'))).status).toBe(200);
    try {
      expect401(await h.http.get('/api/tokens').set(bearer(issued.token)), /deactivated/);
      expect401(await h.http.get('/api/tokens').set(h.as('requester')), /deactivated/);
      const page = await h.http.get(`/actions/${link}`).set('Cookie', session);
      expect401(page, /session belongs to a deactivated user; sign in again/);
      expect(page.headers['set-cookie']?.[0]).toMatch(/^itsm_session=;.*Max-Age=0/);
      expect((await h.http.post('/login').type('form').send({ token: issued.token })).status).toBe(401);
    } finally {
      expect((await h.http.post(`/api/users/${h.userIds.requester}/reactivate`).set(h.as('admin'))).status).toBe(200);
    }
    expect((await h.http.get('/api/tokens').set(bearer(issued.token))).status).toBe(200);
  });

  it('a change of roles through the API applies to the very next request, in both directions', async () => {
    const { roles } = await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.auditor } });
    const setRoles = async (next: string[]) => expect((await h.http.patch(`/api/users/${h.userIds.auditor}`).set(h.as('admin')).send({ roles: next })).status).toBe(200);
    expect((await h.http.get('/api/users').set(h.as('auditor'))).status).toBe(403);
    await setRoles([...roles, 'manager']);
    try {
      expect((await h.http.get('/api/users').set(h.as('auditor'))).status).toBe(200);
    } finally {
      await setRoles(roles);
    }
    expect((await h.http.get('/api/users').set(h.as('auditor'))).status).toBe(403);
  });

  it('records lastUsedAt on use, at most once a minute per token', async () => {
    const { body: issued } = await issue('cab1', { label: 'last use' });
    expect((await row(issued.id)).lastUsedAt).toBeNull();
    expect((await h.http.get('/api/tokens').set(bearer(issued.token))).status).toBe(200);
    const first = (await row(issued.id)).lastUsedAt!;
    expect(Date.now() - first.getTime()).toBeLessThan(30_000);

    const burst = await Promise.all(Array.from({ length: 8 }, () => h.http.get('/api/tokens').set(bearer(issued.token))));
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect((await row(issued.id)).lastUsedAt).toEqual(first);

    const minuteAgo = new Date(Date.now() - TOKEN_USE_RESOLUTION_MS - 1_000);
    await h.db.prisma.apiToken.update({ where: { id: issued.id }, data: { lastUsedAt: minuteAgo } });
    // As a minute passing would: the cached check that remembers the recent use is long gone by then.
    forgetTokenGrants(h.db.prisma);
    const listed = await h.http.get('/api/tokens').set(bearer(issued.token));
    const current = (await row(issued.id)).lastUsedAt!;
    expect(current.getTime()).toBeGreaterThan(minuteAgo.getTime() + TOKEN_USE_RESOLUTION_MS);
    expect(listed.body.items.find((t: { id: string }) => t.id === issued.id).lastUsedAt).toBe(current.toISOString());
  });
});
