import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { readInbox } from '../../scripts/mail-catcher';
import { launchChromium } from '../support/browser';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistoryIfAsked, secondScaleService } from '../support/sla-fixtures';

const SCORE_LINK = /^(\d) [^:]+: (http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+\?score=\d)$/gm;

describe('the satisfaction survey mailed when an incident closes, answered in a real browser', () => {
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

  async function closedIncident(serviceId: string, title: string) {
    const incident = (await h.http.post('/api/incidents').set(h.as('requester')).send({ title, impact: 'low', urgency: 'low', serviceId })).body;
    const act = (verb: string, role: 'agent' | 'requester', body: object = {}) => h.http.post(`/api/incidents/${incident.id}/${verb}`).set(h.as(role)).send(body);
    expect((await act('resolve', 'agent', { code: 'fixed', summary: 'Mailbox quota raised' })).status).toBe(200);
    expect((await act('close', 'requester')).body.state).toBe('closed');
    return incident as { id: string; reference: string; workflowId: string };
  }
  // By incident id: suites run in parallel with databases of their own, so references repeat across them.
  const surveyMails = async (incidentId: string) => (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-survey-incident-id'] === incidentId);

  it('sends the requester one survey with a link per score; the page records one answer with its comment, once', async () => {
    const service = await secondScaleService(h, { responseSeconds: 3_600, resolutionSeconds: 7_200, warningThresholds: [] });
    const incident = await closedIncident(service.id, 'Mailbox full');
    const [mail] = await eventually(async () => {
      const mails = await surveyMails(incident.id);
      if (mails.length === 0) throw new Error('no survey yet');
      return mails;
    });
    expect(mail.to[0].address).toBe('riley.requester@itsm.local');
    expect(mail.subject).toBe(`[${incident.reference}] how did we do?`);
    const links = Object.fromEntries([...(mail.text ?? '').matchAll(SCORE_LINK)].map(([, score, url]) => [score, url]));
    expect(Object.keys(links)).toEqual(['1', '2', '3', '4', '5']);
    await h.temporal.workflow.getHandle(incident.workflowId).result();
    await recordHistoryIfAsked(incident.workflowId, 'incident-closed-survey');

    const page = await browser.newPage();
    // Opening a link (as a mail scanner would) records nothing: the chosen score is only preselected.
    expect((await page.goto(links['4']))!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(`How did we do?: ${incident.reference}`);
    expect(await page.locator('input[name=score][value="4"]').isChecked()).toBe(true);
    expect((await h.db.prisma.satisfactionSurvey.findUniqueOrThrow({ where: { incidentId: incident.id } })).respondedAt).toBeNull();

    await page.check('input[name=score][value="5"]');
    await page.fill('textarea[name=comment]', 'Quick and friendly, thank you');
    const screenshot = path.join(process.env.ITSM_TEST_RUN_DIR!, `survey-${incident.id}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(5_000);
    const [answered] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(answered!.status()).toBe(200);
    await expect(page.locator('p[data-outcome=done]').textContent()).resolves.toBe(`Your score of 5 for ${incident.reference} is recorded.`);
    expect(await h.db.prisma.satisfactionSurvey.findUniqueOrThrow({ where: { incidentId: incident.id } })).toMatchObject({ score: 5, comment: 'Quick and friendly, thank you', requesterId: h.userIds.requester });
    const trail = await h.db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, type: 'satisfaction-survey' } });
    expect(trail.map((e) => e.data)).toEqual([{ score: 5, comment: 'Quick and friendly, thank you' }]);

    // Every score link of the survey is now spent.
    expect((await page.goto(links['1']))!.status()).toBe(409);
    const again = await h.http.post(new URL(links['2']).pathname).type('form').send({ score: '2' });
    expect(again.status).toBe(409);
    expect((await h.db.prisma.satisfactionSurvey.findUniqueOrThrow({ where: { incidentId: incident.id } })).score).toBe(5);
    await page.close();
  });

  it('refuses an answer without a score, keeps the comment, and summarises the answers for staff only', async () => {
    const service = await secondScaleService(h, { responseSeconds: 3_600, resolutionSeconds: 7_200, warningThresholds: [] });
    const incident = await closedIncident(service.id, 'VPN drops');
    const mails = await eventually(async () => {
      const found = await surveyMails(incident.id);
      if (found.length === 0) throw new Error('no survey yet');
      return found;
    });
    const link = [...(mails[0].text ?? '').matchAll(SCORE_LINK)][0][2];
    const action = new URL(link).pathname;
    const blank = await h.http.post(action).type('form').send({ comment: 'It took three days' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('Choose a score from 1 to 5.');
    expect(blank.text).toContain('It took three days');
    expect((await h.http.post(action).type('form').send({ score: '2', comment: 'It took three days' })).status).toBe(200);

    const summary = await h.http.get('/api/surveys').query({ serviceId: service.id }).set(h.as('manager'));
    expect(summary.status).toBe(200);
    expect(summary.body.summary).toEqual({ sent: 1, responses: 1, averageScore: 2, satisfiedPercent: 0 });
    expect(summary.body.items[0]).toMatchObject({ incident: incident.reference, score: 2, comment: 'It took three days' });
    expect((await h.http.get('/api/surveys').set(h.as('requester'))).status).toBe(403);
    // The summary covers every survey selected, not just the page of items.
    const firstPage = await h.http.get('/api/surveys').query({ limit: 1 }).set(h.as('manager'));
    expect(firstPage.body.items).toHaveLength(1);
    expect(firstPage.body.summary).toEqual({ sent: 2, responses: 2, averageScore: 3.5, satisfiedPercent: 50 });
    const answeredOnly = await h.http.get('/api/surveys').query({ answered: 'false' }).set(h.as('agent'));
    expect(answeredOnly.body.items.every((item: { score: number | null }) => item.score === null)).toBe(true);
  });
});
