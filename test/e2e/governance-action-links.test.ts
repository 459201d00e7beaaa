import type { Browser } from 'playwright-core';
import { signActionToken } from '../../records/mail/action-tokens';
import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { launchChromium } from '../support/browser';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, suiteScheduleId, triggerSchedule } from '../support/schedules';
import { testContract } from '../support/supplier-fixtures';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;
const DAY = 86_400_000;

/** The personal link in the first mail of `kind` about a record (by its header) to `address`. */
async function mailedLink(header: string, id: string, kind: string, address: string): Promise<string> {
  return eventually(async () => {
    const mail = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers[header] === id && m.headers['x-itsm-kind'] === kind && m.to[0].address === address);
    if (!mail) throw new Error(`no ${kind} to ${address} yet`);
    return LINK.exec(mail.text ?? '')![0];
  });
}

describe('corrective actions and supplier reviews taken from their mailed links, in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  const schedules: string[] = [];

  beforeAll(async () => {
    h = await startHarness('pglite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const id of schedules) await h?.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  /** What a GET could have written: the record's row, the workflow's history, any link marked used. */
  const footprint = async (row: () => Promise<unknown>, workflowId: string) => ({
    row: await row(),
    history: (await h.temporal.workflow.getHandle(workflowId).fetchHistory()).events?.length,
    used: await h.db.prisma.actionTokenUse.count(),
  });
  /** The footprint once the workflow has nothing in flight (its mail is out and recorded), so only a GET could change it. */
  const settled = (row: () => Promise<unknown>, workflowId: string) =>
    eventually(async () => {
      const { raw } = await h.temporal.workflow.getHandle(workflowId).describe();
      if (raw.pendingActivities?.length || raw.pendingWorkflowTask) throw new Error('the workflow is still working');
      return footprint(row, workflowId);
    });

  it('the owner completes a corrective action from the link in its mail; GET writes nothing, another signed-in person gets 403, a second use 409', async () => {
    // A corrective action as audits raise them: the auditor records a finding owned by Mei Chen (zh-CN).
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix!, audit: { reviewSeconds: 86_400, remindBeforeSeconds: [3_600] } });
    const auditWorkflow = await triggerSchedule(h, suiteScheduleId(h, 'annual-audit'));
    const audit = await eventually(() => h.db.prisma.audit.findUniqueOrThrow({ where: { workflowId: auditWorkflow } }));
    expect((await h.http.post(`/api/audits/${audit.id}/auditor`).set(h.as('manager')).send({ auditorId: h.userIds.auditor })).status).toBe(200);
    const finding = { clause: '8.6.1', title: 'Escalation chain untested', severity: 'minor', ownerId: h.userIds.agent, dueInSeconds: 86_400 };
    expect((await h.http.post(`/api/audits/${audit.id}/findings`).set(h.as('auditor')).send(finding)).status).toBe(200);
    const action = await eventually(() => h.db.prisma.correctiveAction.findFirstOrThrow({ where: { auditId: audit.id } }));
    const link = await mailedLink('x-itsm-corrective-action-id', action.id, 'corrective-action-assigned', 'mei.chen@itsm.local');
    const row = () => h.db.prisma.correctiveAction.findUniqueOrThrow({ where: { id: action.id } });
    const before = await settled(row, action.workflowId);

    const page = await browser.newPage();
    const shown = await page.goto(link);
    expect(shown!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('纠正措施: Escalation chain untested');
    await expect(page.locator('button[type=submit]').textContent()).resolves.toBe('记录为已完成');
    await page.reload();
    expect(await footprint(row, action.workflowId)).toEqual(before);

    // Sam Taylor signs in, then opens Mei Chen's link: refused, in hers and by the POST too.
    const other = await browser.newContext();
    const signedIn = await other.newPage();
    await signedIn.goto(`${h.baseUrl}/login?next=/healthz`);
    await signedIn.fill('#token', h.tokens.agent2);
    await Promise.all([signedIn.waitForNavigation(), signedIn.click('button[type=submit]')]);
    expect((await signedIn.goto(link))!.status()).toBe(403);
    await expect(signedIn.locator('h1').textContent()).resolves.toBe('此链接属于其他人');
    expect((await h.http.post(new URL(link).pathname).set(h.as('agent2')).type('form').send({ notes: 'done by someone else' })).status).toBe(403);
    await other.close();
    expect(await footprint(row, action.workflowId)).toEqual(before);

    // An empty answer is asked again, and takes nothing.
    const [empty] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(empty!.status()).toBe(400);
    await expect(page.locator('.error').textContent()).resolves.toContain('完成了哪些工作');
    expect(await h.db.prisma.actionTokenUse.count()).toBe(0);

    await page.fill('#notes', '升级链已在演练中测试');
    const [done] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(done!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('已完成');
    expect(await row()).toMatchObject({ state: 'done', notes: '升级链已在演练中测试' });
    await expect(h.temporal.workflow.getHandle(action.workflowId).result()).resolves.toMatchObject({ state: 'done' });

    const again = await page.goto(link);
    expect(again!.status()).toBe(409);
    await expect(page.locator('h1').textContent()).resolves.toBe('链接已被使用');
    expect((await h.http.post(new URL(link).pathname).type('form').send({ notes: 'once more' })).status).toBe(409);
    await page.close();
  });

  it('the contract owner assesses a supplier review from the link in its mail; a link signed for someone else is refused 403 by the step, a second use 409', async () => {
    const contract = await testContract(h, { assessmentSeconds: 86_400, remindBeforeSeconds: [3_600] });
    schedules.push(...contract.scheduleIds);
    const started = await h.http.post(`/api/contracts/${contract.id}/review`).set(h.as('manager')).send({ note: 'Carrier merged with another' });
    expect(started.status).toBe(202);
    const { workflowId } = started.body as { workflowId: string };
    const review = await eventually(async () => {
      const found = await h.db.prisma.supplierReview.findUniqueOrThrow({ where: { workflowId } });
      if (found.state !== 'awaiting-assessment') throw new Error(found.state);
      return found;
    });
    const link = await mailedLink('x-itsm-supplier-review-id', review.id, 'supplier-review-request', 'sam.taylor@itsm.local');
    const row = () => h.db.prisma.supplierReview.findUniqueOrThrow({ where: { id: review.id } });
    const before = await settled(row, workflowId);

    const page = await browser.newPage();
    expect((await page.goto(link))!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Supplier review: ${contract.reference}`);
    await expect(page.locator('dl').textContent()).resolves.toContain('Hosting of the service desk platform');
    await expect(page.locator('input[name=outcome]').count()).resolves.toBe(3);
    expect(await footprint(row, workflowId)).toEqual(before);

    // A link the workflow never mailed to Mei Chen, for this review: she is staff, but neither its owner nor a manager.
    const forMei = await signActionToken(h.apiDeps.actionSecret, { act: 'process-step', approverId: h.userIds.agent, workflowId, step: 'supplier-review.assess', jti: 'not-the-owner', expiresAt: Date.now() + DAY });
    expect((await h.http.get(`/actions/${forMei}`)).status).toBe(200);
    const refused = await h.http.post(`/actions/${forMei}`).type('form').send({ outcome: 'terminate', notes: 'not mine to decide' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('contract owner');
    // The refused step gave the link back: nothing of it, or of the review, was written.
    expect(await footprint(row, workflowId)).toMatchObject({ row: before.row, used: before.used });

    await page.check('input[value=renegotiate]');
    await page.fill('#notes', 'Resolution times slipped after the merger');
    const [done] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(done!.status()).toBe(200);
    await expect(page.locator('p[data-outcome=done]').textContent()).resolves.toContain('assessed');
    expect(await row()).toMatchObject({ state: 'assessed', outcome: 'renegotiate', assessorId: h.userIds.agent2, notes: 'Resolution times slipped after the merger' });

    const again = await page.goto(link);
    expect(again!.status()).toBe(409);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link has already been used');
    await page.close();
  });
});
