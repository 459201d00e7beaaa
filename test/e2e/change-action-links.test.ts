import type { Browser } from 'playwright-core';
import { signActionToken } from '../../records/mail/action-tokens';
import { launchChromium } from '../support/browser';
import { changeMails, changeTestService, configureBoard, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;

describe('approve/reject links in e-mail, opened in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let change: { id: string; reference: string; workflowId: string };
  const links: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness('pglite');
    browser = await launchChromium();
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 3_600 });
    const service = await changeTestService(h);
    change = await raiseChange(h, service.id, { title: 'Move the ERP database to new storage' });
    await waitForChangeState(h, change.id, 'approval');
    const requests = await eventually(async () => {
      const mails = (await changeMails(change.id)).filter((m) => m.headers['x-itsm-kind'] === 'approval-request');
      if (mails.length < 3) throw new Error(`${mails.length} approval requests so far`);
      return mails;
    });
    for (const mail of requests) {
      links[mail.to[0].address] = LINK.exec(mail.text ?? '')![0];
      // The HTML part carries the same personal link behind its buttons.
      expect(mail.html).toContain(`${links[mail.to[0].address]}?choice=approve`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const decisions = () => h.db.prisma.changeApproval.findMany({ where: { changeId: change.id } });
  const state = async () => (await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } })).state;

  it('GET shows the change and its buttons and changes nothing; pressing Approve records the decision; the link then refuses a second use', async () => {
    const page = await browser.newPage();
    const link = links['omar.haddad@itsm.local'];
    const shown = await page.goto(`${link}?choice=approve`);
    expect(shown!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain(change.reference);
    await expect(page.locator('h2').textContent()).resolves.toBe('Move the ERP database to new storage');
    await expect(page.locator('button[value=approve]').textContent()).resolves.toBe('Approve');
    await expect(page.locator('body').textContent()).resolves.toContain('majority of 3');
    // A second GET, as a mail scanner would make: still nothing decided.
    await page.reload();
    expect(await decisions()).toEqual([]);
    expect(await state()).toBe('approval');
    expect(await h.db.prisma.actionTokenUse.count()).toBe(0);

    await page.fill('#comment', 'Storage tested in staging');
    const [result] = await Promise.all([page.waitForNavigation(), page.click('button[value=approve]')]);
    expect(result!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Your decision is recorded');
    expect(await decisions()).toEqual([expect.objectContaining({ approverId: h.userIds.cab2, decision: 'approved', via: 'link', comment: 'Storage tested in staging' })]);

    const again = await page.goto(link);
    expect(again!.status()).toBe(409);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link has already been used');
    expect(await decisions()).toHaveLength(1);
    await page.close();
  });

  it('refuses a link with one character changed, an expired link and a link opened by someone else who is signed in, changing nothing', async () => {
    const page = await browser.newPage();
    const link = links['wang.fang@itsm.local'];
    const last = link.at(-5)!;
    const tampered = `${link.slice(0, -5)}${last === 'A' ? 'B' : 'A'}${link.slice(-4)}`;
    expect((await page.goto(tampered))!.status()).toBe(400);
    // Nothing in a forged token is trusted, not even whose language to answer in.
    await expect(page.locator('h1').textContent()).resolves.toBe('This link is not valid');

    const expired = await signActionToken(h.apiDeps.actionSecret, { act: 'change-decision', approverId: h.userIds.cab1, changeId: change.id, level: 1, jti: 'expired-link-test', expiresAt: Date.now() - 1_000 });
    expect((await page.goto(`${h.baseUrl}/actions/${expired}?lang=en`))!.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link has expired');

    // Mei Chen signs in, then opens Wang Fang's link.
    const other = await browser.newContext();
    const signedIn = await other.newPage();
    await signedIn.goto(`${h.baseUrl}/login?next=/healthz`);
    await signedIn.fill('#token', h.tokens.agent);
    await Promise.all([signedIn.waitForNavigation(), signedIn.click('button[type=submit]')]);
    const refused = await signedIn.goto(link);
    expect(refused!.status()).toBe(403);
    await expect(signedIn.locator('h1').textContent()).resolves.toBe('此链接属于其他人');
    // The same refusal for a POST made with someone else's bearer token.
    const posted = await h.http.post(new URL(link).pathname).set(h.as('agent')).type('form').send({ decision: 'approve' });
    expect(posted.status).toBe(403);
    await other.close();

    expect((await decisions()).map((d) => d.approverId)).toEqual([h.userIds.cab2]);
    expect(await state()).toBe('approval');

    // Wang Fang's own, untouched link still works, in her language.
    const own = await page.goto(link);
    expect(own!.status()).toBe(200);
    await expect(page.locator('button[value=reject]').textContent()).resolves.toBe('拒绝');
    await page.click('button[value=reject]');
    await expect(page.locator('.error').textContent()).resolves.toContain('理由');
    await page.fill('#comment', '存储迁移需要在年终结账后进行');
    await Promise.all([page.waitForNavigation(), page.click('button[value=reject]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('您的决定已记录');
    expect((await decisions()).map((d) => d.decision).sort()).toEqual(['approved', 'rejected']);
    await page.close();
  });
});
