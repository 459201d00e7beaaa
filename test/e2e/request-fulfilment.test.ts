import type { Browser } from 'playwright-core';
import { readInbox } from '../../scripts/mail-catcher';
import { launchChromium } from '../support/browser';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;

describe('a laptop from the catalogue: the manager approves from the mailed link in a real browser, two groups fulfil it in order, the requester confirms', () => {
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

  const mailsAbout = async (requestId: string) => (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-request-id'] === requestId || m.headers['x-itsm-survey-request-id'] === requestId);
  const mailed = (requestId: string, kind: string, address: string) =>
    eventually(async () => {
      const mail = (await mailsAbout(requestId)).find((m) => m.headers['x-itsm-kind'] === kind && m.to[0].address === address);
      if (!mail) throw new Error(`no ${kind} to ${address} yet`);
      return mail;
    });

  it('approval by link, ordered tasks with their own OLAs, the SLA on the record, confirmation and the survey', async () => {
    const catalogue = await h.http.get('/api/catalog-items').set(h.as('requester'));
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.items.map((i: { code: string }) => i.code)).toEqual(['ERP-ACCESS', 'LAPTOP', 'VPN']);
    const laptop = catalogue.body.items.find((i: { code: string }) => i.code === 'LAPTOP');

    // A manager moves the item to the 24x7 calendar, so its clocks read as plain seconds: version 2.
    const calendar = await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } });
    const tasks = laptop.fulfilment.tasks.map((task: { name: string; groupId: string }, index: number) => ({ ...task, olaSeconds: [3_600, 1_800][index] }));
    const settings = { name: laptop.name, description: laptop.description, form: laptop.form, approval: laptop.approval, fulfilment: { mode: 'ordered', tasks }, calendarId: calendar.id, responseTargetSeconds: 600, fulfilmentTargetSeconds: 7_200, autoCloseAfterSeconds: 86_400 };
    expect((await h.http.put(`/api/catalog-items/${laptop.id}`).set(h.as('agent')).send({ ...settings, reason: 'round the clock' })).status).toBe(403);
    const changed = await h.http.put(`/api/catalog-items/${laptop.id}`).set(h.as('manager')).send({ ...settings, reason: 'round the clock' });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    const versions = await h.http.get(`/api/catalog-items/${laptop.id}/versions`).set(h.as('manager'));
    expect(versions.body.items.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
      [2, 'round the clock'],
      [1, 'demo data'],
    ]);

    // Answers the form refuses: 400 naming each field, and nothing recorded.
    const bad = await h.http.post('/api/requests').set(h.as('requester')).send({ itemId: laptop.id, answers: { model: 'gold-plated', neededBy: '2027-02-30', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['answers.colour', 'answers.model', 'answers.neededBy']);
    const missing = await h.http.post('/api/requests').set(h.as('requester')).send({ itemId: laptop.id, answers: { model: '14-inch standard', forUser: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['answers.neededBy']);
    expect(await h.db.prisma.serviceRequest.count()).toBe(0);

    const submitted = await h.http.post('/api/requests').set(h.as('requester')).send({ itemId: laptop.id, answers: { model: '14-inch standard', neededBy: '2027-01-11' } });
    expect(submitted.status).toBe(201);
    const request = submitted.body;
    expect(request).toMatchObject({ state: 'approval', itemVersion: 2, requesterId: h.userIds.requester, reference: expect.stringMatching(/^REQ-\d{6}$/) });
    // Nobody approves their own request.
    const own = await h.http.post(`/api/requests/${request.id}/approve`).set(h.as('requester')).send({ comment: '' });
    expect(own.status).toBe(403);
    expect((await h.db.prisma.requestEvent.findMany({ where: { requestId: request.id } })).map((e) => e.type)).toEqual(['submitted']);

    // Riley's manager, Li Wei (zh-CN), approves from the link in the mail.
    const approvalMail = await mailed(request.id, 'approval-request', 'li.wei@itsm.local');
    expect(approvalMail.subject).toBe(`[${request.reference}] 待审批：New laptop`);
    const link = LINK.exec(approvalMail.text ?? '')![0];
    const page = await browser.newPage();
    expect((await page.goto(link))!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(`申请审批: ${request.reference}`);
    // The GET wrote nothing: the request still waits for its approval.
    expect((await h.db.prisma.serviceRequest.findUniqueOrThrow({ where: { id: request.id } })).state).toBe('approval');
    await page.check('input[name=decision][value=approve]');
    const [decided] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(decided!.status()).toBe(200);
    await expect(page.locator('[data-outcome]').getAttribute('data-outcome')).resolves.toBe('done');

    const status = async () => (await h.http.get(`/api/requests/${request.id}`).set(h.as('requester'))).body;
    const approved = await eventually(async () => {
      const body = await status();
      if (body.state !== 'fulfilment' || body.tasks[0].state !== 'open') throw new Error(`state ${body.state}`);
      return body;
    });
    // Approving twice: refused, nothing written.
    const eventsBefore = await h.db.prisma.requestEvent.count({ where: { requestId: request.id } });
    const twice = await h.http.post(`/api/requests/${request.id}/approve`).set(h.as('manager')).send({ comment: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.currentState).toBe('fulfilment');
    expect((await page.goto(link))!.status()).toBe(409);
    expect(await h.db.prisma.requestEvent.count({ where: { requestId: request.id } })).toBe(eventsBefore);

    // The first task is the Service Desk's, on its own OLA; the second waits its turn.
    const [desk, network] = await h.db.prisma.group.findMany({ where: { name: { in: ['Service Desk', 'Network Operations'] } }, orderBy: { name: 'desc' } });
    expect(approved.tasks.map((t: { groupId: string; state: string }) => [t.groupId, t.state])).toEqual([
      [desk.id, 'open'],
      [network.id, 'waiting'],
    ]);
    expect(Date.parse(approved.tasks[0].olaDueAt) - Date.parse(approved.tasks[0].openedAt)).toBe(3_600_000);
    expect(Date.parse(approved.fulfilmentDueAt) - Date.parse(approved.tasks[0].openedAt)).toBe(7_200_000);
    expect(Date.parse(approved.responseDueAt) - Date.parse(approved.tasks[0].openedAt)).toBe(600_000);
    await mailed(request.id, 'task-assigned', 'mei.chen@itsm.local');
    await mailed(request.id, 'task-assigned', 'sam.taylor@itsm.local');

    const work = (verb: 'take-task' | 'complete-task', role: 'agent' | 'agent2' | 'requester', taskId: string) => h.http.post(`/api/requests/${request.id}/${verb}`).set(h.as(role)).send({ taskId, notes: '' });
    expect((await work('take-task', 'requester', approved.tasks[0].id)).status).toBe(403);
    // The second task is not open yet: the order holds.
    expect((await work('complete-task', 'agent2', approved.tasks[1].id)).status).toBe(409);
    const taken = await work('take-task', 'agent2', approved.tasks[0].id);
    expect(taken.status).toBe(200);
    expect(taken.body.response.metAt).not.toBeNull();
    const first = await work('complete-task', 'agent2', approved.tasks[0].id);
    expect(first.status).toBe(200);
    expect(first.body.tasks.map((t: { state: string }) => t.state)).toEqual(['done', 'open']);
    expect(Date.parse(first.body.tasks[1].olaDueAt) - Date.parse(first.body.tasks[1].openedAt)).toBe(1_800_000);
    // Mei Chen is not in Network Operations.
    expect((await work('complete-task', 'agent', approved.tasks[1].id)).status).toBe(403);
    const second = await work('complete-task', 'agent2', approved.tasks[1].id);
    expect(second.status).toBe(200);
    expect(second.body.state).toBe('fulfilled');

    await mailed(request.id, 'request-fulfilled', 'riley.requester@itsm.local');
    const confirmed = await h.http.post(`/api/requests/${request.id}/confirm`).set(h.as('requester')).send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.state).toBe('closed');
    const survey = await mailed(request.id, 'satisfaction-survey', 'riley.requester@itsm.local');
    expect(survey.subject).toBe(`[${request.reference}] how did we do?`);
    await h.temporal.workflow.getHandle(`request-${request.id}`).result();
    await recordHistoryIfAsked(`request-${request.id}`, 'request-laptop-confirmed');

    const row = await h.db.prisma.serviceRequest.findUniqueOrThrow({ where: { id: request.id }, include: { tasks: { orderBy: { position: 'asc' } } } });
    expect(row).toMatchObject({ state: 'closed', responseBreached: false, fulfilmentBreached: false });
    expect(row.tasks.map((t) => [t.state, t.assigneeId, t.olaBreached])).toEqual([
      ['done', h.userIds.agent2, false],
      ['done', h.userIds.agent2, false],
    ]);
    expect(row.tasks[1].openedAt!.getTime()).toBeGreaterThanOrEqual(row.tasks[0].completedAt!.getTime());
    const history = (await status()).events.map((e: { type: string }) => e.type);
    expect(history).toEqual(['submitted', 'approval', 'task-taken', 'task-done', 'fulfilled', 'confirmed']);
  });
});
