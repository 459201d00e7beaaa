import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { dayOne } from '../support/day-one';
import { startHarness, type Harness } from '../support/harness';
import { signInThroughProvider, startTestProvider, type TestProvider } from '../support/identity-provider';

describe("day one without demo data, signed in through the provider: the first administrator comes from its admin group", () => {
  let provider: TestProvider;
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    h = await startHarness('pglite', { demoData: false, identityProvider: (baseUrl) => provider.connect(baseUrl) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await provider?.close();
  });

  const signIn = async (login: string) => signInThroughProvider(await (await browser.newContext()).newPage(), h.baseUrl, login, '/docs/');

  it("the admin group's member signs in to an empty organisation, runs the walkthrough with the provider's access token, and maps a provider group to the Service Desk", async () => {
    expect(await h.db.prisma.user.count()).toBe(0);
    provider.accounts.set('it', { email: 'it@example.org', name: 'First Admin', groups: ['itsm-admins'] });
    await signIn('it');
    expect(await h.db.prisma.user.findMany()).toEqual([expect.objectContaining({ email: 'it@example.org', name: 'First Admin', roles: ['admin'], oidcSubject: 'it' })]);

    const adminToken = await provider.accessToken(browser, 'it');
    await dayOne(h.baseUrl, adminToken, process.env.ITSM_TEST_MAIL_INBOX!, 'oidc');

    // The Administration section with a provider: a provider group staffs the Service Desk.
    const admin = { Authorization: `Bearer ${adminToken}` };
    const desk = ((await h.http.get('/api/groups').set(admin)).body.items as { id: string; name: string }[]).find((group) => group.name === 'Service Desk')!;
    const mapped = await h.http.post('/api/admin/role-mappings').set(admin).send({ providerGroup: 'itsm-service-desk', roles: ['agent'], groupId: desk.id });
    expect(mapped.status).toBe(201);
    expect((await h.http.get('/api/admin/role-mappings').set(admin)).body.items).toEqual([expect.objectContaining({ providerGroup: 'itsm-service-desk', roles: ['agent'], groupId: desk.id })]);
    provider.accounts.set('sam', { email: 'sam@example.org', name: 'Sam Agent', groups: ['itsm-service-desk'] });
    await signIn('sam');
    const sam = await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'sam@example.org' }, include: { memberOf: true } });
    expect(sam.roles).toEqual(['agent']);
    expect(sam.memberOf.map((member) => member.groupId)).toEqual([desk.id]);
  }, 200_000);
});
