import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { changeMails, changeTestService, configureBoard, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { API_AUDIENCE, keepToLoopback, signInThroughProvider, startTestProvider, submitLogin, type TestProvider } from '../support/identity-provider';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;
const SESSION = 'itsm_session';

describe("people sign in through the organisation's OpenID provider; its access tokens call the API", () => {
  let provider: TestProvider;
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    h = await startHarness('pglite', { identityProvider: (baseUrl) => provider.connect(baseUrl) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await provider?.close();
  });

  const demoUser = (id: string) => h.db.prisma.user.findUniqueOrThrow({ where: { id } });
  const mapGroup = async (providerGroup: string, grant: { roles?: string[]; groupId?: string }) => {
    const created = await h.http.post('/api/admin/role-mappings').set(h.as('admin')).send({ providerGroup, ...grant });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };
  /** A browser of its own (cookies included) for one person, signed in at the provider's login page. */
  async function signedIn(login: string, next = '/healthz') {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughProvider(page, h.baseUrl, login, next);
    const cookie = (await context.cookies()).find((c) => c.name === SESSION)!;
    return { context, page, cookie };
  }
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('the approver signs in at the provider and decides their link; a link opened as someone else is 403; signing out ends the session', async () => {
    const [omar, fang] = await Promise.all([demoUser(h.userIds.cab2), demoUser(h.userIds.cab1)]);
    await mapGroup('itsm-cab', { roles: [...new Set([...omar.roles, ...fang.roles])] });
    provider.accounts.set('omar', { email: omar.email, name: omar.name, groups: ['itsm-cab'] });
    provider.accounts.set('fang', { email: fang.email, name: fang.name, groups: ['itsm-cab'] });

    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 3_600 });
    const change = await raiseChange(h, (await changeTestService(h)).id, { title: 'Rotate the VPN certificates' });
    await waitForChangeState(h, change.id, 'approval');
    const links = await eventually(async () => {
      const mails = (await changeMails(change.id)).filter((m) => m.headers['x-itsm-kind'] === 'approval-request');
      if (mails.length < 3) throw new Error(`${mails.length} approval requests so far`);
      return Object.fromEntries(mails.map((mail) => [mail.to[0].address, LINK.exec(mail.text ?? '')![0]]));
    });

    // Fang, signed in through the provider, opens Omar's link: refused, nothing decided.
    const other = await signedIn('fang');
    expect((await other.page.goto(links[omar.email]))!.status()).toBe(403);
    await expect(other.page.locator('h1').textContent()).resolves.toBe('This link is for someone else');

    const approver = await signedIn('omar');
    // The cookie is an opaque id: HttpOnly, SameSite, for this site; the account was linked by its e-mail address.
    expect(approver.cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(approver.cookie.value).not.toContain(omar.email);
    expect(await demoUser(omar.id)).toMatchObject({ oidcSubject: 'omar', email: omar.email });
    expect(await h.db.prisma.session.count({ where: { userId: omar.id } })).toBe(1);

    expect((await approver.page.goto(`${links[omar.email]}?choice=approve`))!.status()).toBe(200);
    await approver.page.fill('#comment', 'Certificates checked');
    const [decided] = await Promise.all([approver.page.waitForNavigation(), approver.page.click('button[value=approve]')]);
    expect(decided!.status()).toBe(200);
    expect(await h.db.prisma.changeApproval.findMany({ where: { changeId: change.id } })).toEqual([expect.objectContaining({ approverId: omar.id, decision: 'approved', via: 'link' })]);

    // While the session lives, the cookie says who is signed in (Fang's link is someone else's: 403) ...
    const session = `${SESSION}=${approver.cookie.value}`;
    expect((await h.http.get(new URL(links[fang.email]).pathname).set('Cookie', session)).status).toBe(403);
    const out = await approver.context.request.post(`${h.baseUrl}/logout`, { headers: { Origin: h.baseUrl } });
    expect(out.status()).toBe(200);
    expect((await approver.context.cookies()).find((c) => c.name === SESSION)).toBeUndefined();
    // ... and after signing out the same cookie, replayed, is refused: the session is gone from the server.
    const replayed = await h.http.get(new URL(links[fang.email]).pathname).set('Cookie', session);
    expect(replayed.status).toBe(401);
    expect(replayed.body.detail).toContain('the session is not valid');
    expect(await h.db.prisma.session.count({ where: { userId: omar.id } })).toBe(0);
  });

  it('token paste is closed; /docs and the report pages send a signed-out browser to the provider and serve a signed-in one', async () => {
    expect((await h.http.post('/login').type('form').send({ token: h.tokens.admin })).status).toBe(403);
    expect((await h.http.get('/docs/')).status).toBe(303);
    const manager = await demoUser(h.userIds.manager);
    await mapGroup('itsm-managers', { roles: manager.roles });
    provider.accounts.set('mira', { email: manager.email, name: manager.name, groups: ['itsm-managers'] });
    const { page } = await signedIn('mira', '/docs/');
    await expect(page.locator('title').textContent()).resolves.toBe('ITSM API');
    // A page under /api reads the session (GET only) and the API still answers JSON to a program without one.
    expect((await page.goto(`${h.baseUrl}/api/service-reports`))!.status()).toBe(200);
    expect((await h.http.get('/api/service-reports')).status).toBe(401);
    const signedOut = await (await browser.newContext()).newPage();
    await signedOut.goto(`${h.baseUrl}/api/service-reports`);
    expect(signedOut.url()).toContain(`${provider.issuer}/`);
    await signedOut.context().close();
  });

  it('the first sign-in provisions the person (e-mail, name, locale, mapped roles and group); their provider access token calls the API with those roles', async () => {
    const desk = await h.db.prisma.group.findFirstOrThrow({ where: { deactivatedAt: null } });
    await mapGroup('itsm-agents', { roles: ['agent'], groupId: desk.id });
    provider.accounts.set('pat', { email: 'pat.provider@example.org', name: 'Pat Provider', locale: 'zh-CN', groups: ['itsm-agents'] });
    expect(await h.db.prisma.user.count({ where: { email: 'pat.provider@example.org' } })).toBe(0);

    await signedIn('pat');
    const pat = await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'pat.provider@example.org' }, include: { memberOf: true } });
    expect(pat).toMatchObject({ name: 'Pat Provider', locale: 'zh-CN', roles: ['agent'], oidcSubject: 'pat' });
    expect(pat.memberOf.map((m) => m.groupId)).toEqual([desk.id]);

    const token = await provider.accessToken(browser, 'pat');
    expect((await h.http.get('/api/incidents').set(bearer(token))).status).toBe(200);
    // Agents are not administrators: the mapping grants what it says and no more.
    expect((await h.http.get('/api/admin/role-mappings').set(bearer(token))).status).toBe(403);
    // Machines keep their API tokens.
    expect((await h.http.get('/api/incidents').set(h.as('agent'))).status).toBe(200);
  });

  it('refuses tokens from another issuer, for another audience, expired, unsigned or signed with HS256 (401)', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const stranger = (await generateKeyPair('RS256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const token = (change: { issuer?: string; audience?: string; expiresAt?: number; key?: typeof stranger }) =>
      new SignJWT({ email: 'pat.provider@example.org', groups: ['itsm-agents'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-provider-key' })
        .setIssuer(change.issuer ?? provider.issuer)
        .setAudience(change.audience ?? API_AUDIENCE)
        .setSubject('pat')
        .setIssuedAt(now - 120)
        .setExpirationTime(change.expiresAt ?? now + 300)
        .sign(change.key ?? provider.signingKey);
    const status = async (jwt: string) => (await h.http.get('/api/incidents').set(bearer(jwt))).status;
    // The same claims, correctly signed, are accepted: each refusal below is for the one thing changed.
    expect(await status(await token({}))).toBe(200);

    expect(await status(await token({ key: stranger }))).toBe(401);
    expect(await status(await token({ key: stranger, issuer: 'https://login.other.example/' }))).toBe(401);
    expect(await status(await token({ issuer: 'https://login.other.example/' }))).toBe(401);
    expect(await status(await token({ audience: 'another-api' }))).toBe(401);
    const expired = await h.http.get('/api/incidents').set(bearer(await token({ expiresAt: now - 60 })));
    expect([expired.status, expired.body.detail]).toEqual([401, expect.stringContaining('has expired')]);
    const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const payload = { iss: provider.issuer, aud: API_AUDIENCE, sub: 'pat', iat: now, exp: now + 300, groups: ['itsm-agents'] };
    expect(await status(`${segment({ alg: 'none', typ: 'JWT' })}.${segment(payload)}.`)).toBe(401);
    // HS256 keyed with what an attacker may know: the client secret, or the provider's public key as text.
    for (const secret of [h.apiDeps.identityProvider!.settings.clientSecret, JSON.stringify(await (await import('jose')).exportJWK(provider.signingKey))]) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: 'test-provider-key' }).sign(new TextEncoder().encode(secret));
      expect(await status(forged)).toBe(401);
    }
  });

  it('a group removed at the provider takes its role and membership at the next sign-in; a deactivated person cannot sign in', async () => {
    provider.accounts.get('pat')!.groups = [];
    const { page } = await signedIn('pat');
    expect(page.url()).toBe(`${h.baseUrl}/healthz`);
    const pat = await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'pat.provider@example.org' }, include: { memberOf: true } });
    expect(pat.roles).toEqual(['requester']);
    expect(pat.memberOf).toEqual([]);
    const token = await provider.accessToken(browser, 'pat');
    expect((await h.http.get('/api/users').set(bearer(token))).status).toBe(403);

    expect((await h.http.post(`/api/users/${pat.id}/deactivate`).set(h.as('admin')).send({})).status).toBe(200);
    expect((await h.http.get('/api/incidents').set(bearer(token))).status).toBe(401);
    const context = await browser.newContext();
    const refused = await context.newPage();
    await keepToLoopback(refused);
    await refused.goto(`${h.baseUrl}/login`);
    const [answer] = await Promise.all([refused.waitForResponse((r) => r.url().startsWith(`${h.baseUrl}/auth/callback`)), submitLogin(refused, 'pat')]);
    expect(answer.status()).toBe(403);
    await expect(refused.locator('p').textContent()).resolves.toContain('deactivated');
    expect((await context.cookies()).find((c) => c.name === SESSION)).toBeUndefined();
  });
});
