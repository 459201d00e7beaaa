import type { Browser } from 'playwright-core';
import { readInbox } from '../../scripts/mail-catcher';
import { launchChromium } from '../support/browser';
import { changeBody, changeTestService, standardChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { planRelease, releaseAction, shellAdapter, waitForReleaseState } from '../support/release-fixtures';

const LINK = /Authorise: (http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+)/;

describe('the production authorisation link in e-mail, opened in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness('pglite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function authorisationLinks(releaseId: string) {
    return eventually(async () => {
      const mails = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-release-id'] === releaseId && m.headers['x-itsm-kind'] === 'authorisation-request');
      if (mails.length === 0) throw new Error('no authorisation request yet');
      return Object.fromEntries(mails.map((m) => [m.to[0].address, LINK.exec(m.text ?? '')![1]]));
    });
  }

  it('shows what blocks production and refuses while it does; once the change is in its window, one click authorises, once', async () => {
    const service = await changeTestService(h);
    const change = (await h.http.post('/api/changes').set(h.as('requester')).send(changeBody(service.id, await standardChange(h, service.id)))).body;
    await waitForChangeState(h, change.id, 'approved');
    const adapter = await shellAdapter(h);
    const release = await planRelease(h, adapter.name, { environments: ['staging', 'production'], changeIds: [change.id] });
    await releaseAction(h, release.id, 'start');
    await waitForReleaseState(h, release.id, 'awaiting_authorisation');
    const links = await authorisationLinks(release.id);
    // Managers get a link; the requester (an agent) does not, and nor does anyone else.
    expect(Object.keys(links)).toEqual(['li.wei@itsm.local']);

    const page = await browser.newPage();
    expect((await page.goto(`${links['li.wei@itsm.local']}?lang=en`))!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Production authorisation: ${release.reference}`);
    await expect(page.locator('body').textContent()).resolves.toContain(`${change.reference} is approved: it must be approved and scheduled`);
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[value=authorise]')]);
    expect(refused!.status()).toBe(409);
    expect((await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } })).authorisedById).toBeNull();

    const now = Date.now();
    await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({ plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 1_800_000).toISOString() });
    await page.goto(`${links['li.wei@itsm.local']}?lang=en`);
    await expect(page.locator('h3.error').count()).resolves.toBe(0);
    const [done] = await Promise.all([page.waitForNavigation(), page.click('button[value=authorise]')]);
    expect(done!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Your decision is recorded');
    const released = await waitForReleaseState(h, release.id, 'released');
    expect(released.authorisedById).toBe(h.userIds.manager);

    // Used: refused in Li Wei's own language.
    expect((await page.goto(links['li.wei@itsm.local']))!.status()).toBe(409);
    await expect(page.locator('h1').textContent()).resolves.toBe('链接已被使用');
  });
});
