import { ItsmEscalationLevel } from '../../temporal-config/search-attributes';
import { readInbox } from '../../scripts/mail-catcher';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

describe.each(databaseKinds())('complaints on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const mails = async (complaintId: string) =>
    (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!))
      .filter((m) => m.headers['x-itsm-complaint-id'] === complaintId)
      .map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}`)
      .sort();
  const events = async (complaintId: string) => (await h.db.prisma.complaintEvent.findMany({ where: { complaintId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((e) => e.type);

  it('reminds the handler, escalates to the managers at the target and to the administrators later, once each; the formal close mails the resolution', async () => {
    const policy = await h.http.put('/api/complaint-policies/standard').set(h.as('manager')).send({ targetSeconds: 4, remindBeforeSeconds: [2], escalateAfterSeconds: 3 });
    expect(policy.status).toBe(200);
    const service = await h.db.prisma.service.create({ data: { code: `CMP${process.pid}${kind}`, name: 'Payroll', ownerId: h.userIds.agent2 } });
    const logged = await h.http.post('/api/complaints').set(h.as('requester')).send({ subject: 'Payslips late again', description: 'Third month in a row that payslips arrive after payday.', serviceId: service.id });
    expect(logged.status).toBe(201);
    const complaint = logged.body;
    expect(complaint).toMatchObject({ state: 'investigating', severity: 'standard', handlerId: h.userIds.agent2, complainantId: h.userIds.requester, reference: expect.stringMatching(/^CMP-\d{6}$/) });
    expect(Date.parse(complaint.dueAt) - Date.parse(complaint.createdAt)).toBe(4_000);

    const row = await eventually(async () => {
      const found = await h.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } });
      if (found.escalationLevel < 2) throw new Error(`escalation level ${found.escalationLevel}`);
      return found;
    }, 20_000);
    expect(row.state).toBe('investigating');
    await eventually(async () =>
      expect(await mails(complaint.id)).toEqual([
        'complaint-assigned sam.taylor@itsm.local',
        'complaint-escalation admin@itsm.local',
        'complaint-escalation li.wei@itsm.local',
        'complaint-escalation sam.taylor@itsm.local',
        'complaint-received riley.requester@itsm.local',
        'complaint-reminder sam.taylor@itsm.local',
      ]),
    );
    expect(await events(complaint.id)).toEqual(['received', 'reminder', 'escalated', 'escalated']);
    const handle = h.temporal.workflow.getHandle(row.workflowId);
    await eventually(async () => expect((await handle.describe()).typedSearchAttributes.get(ItsmEscalationLevel)).toBe(2));

    // Only its handler or a manager closes it, with an outcome and a resolution worth mailing.
    const close = (role: 'agent' | 'agent2', body: object) => h.http.post(`/api/complaints/${complaint.id}/close`).set(h.as(role)).send(body);
    const resolution = 'Payroll now runs two days before payday; the delay came from a late bank file.';
    expect((await close('agent', { outcome: 'upheld', resolution })).status).toBe(403);
    const short = await close('agent2', { outcome: 'upheld', resolution: 'ok' });
    expect(short.status).toBe(400);
    expect(short.headers['content-type']).toContain('application/problem+json');
    expect(short.body.errors.map((e: { field: string }) => e.field)).toEqual(['resolution']);
    const closed = await close('agent2', { outcome: 'upheld', resolution });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', outcome: 'upheld', escalationLevel: 2 });
    expect(await handle.result()).toMatchObject({ state: 'closed' });
    if (kind === 'pglite') await recordHistoryIfAsked(row.workflowId, 'complaint-escalation-close');
    const again = await close('agent2', { outcome: 'not_upheld', resolution });
    expect(again.status).toBe(409);
    expect(again.body.currentState).toBe('closed');

    const closedMail = await eventually(async () => {
      const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers['x-itsm-complaint-id'] === complaint.id && m.headers['x-itsm-kind'] === 'complaint-closed');
      if (!found) throw new Error('no closing mail yet');
      return found;
    });
    expect(closedMail.to[0].address).toBe('riley.requester@itsm.local');
    expect(closedMail.text).toContain('Outcome: upheld.');
    expect(closedMail.text).toContain(resolution);
    const view = await h.http.get(`/api/complaints/${complaint.id}`).set(h.as('requester'));
    expect(view.body).toMatchObject({ state: 'closed', outcome: 'upheld', resolution, closedById: h.userIds.agent2 });
    expect(view.body.events.map((e: { type: string }) => e.type)).toEqual(['received', 'reminder', 'escalated', 'escalated', 'closed']);
    expect(view.body.events.filter((e: { type: string }) => e.type === 'escalated').map((e: { data: { level: number } }) => e.data.level)).toEqual([1, 2]);
    // Someone else's complaint does not exist for a customer.
    expect((await h.http.get(`/api/complaints/${complaint.id}`).set(h.as('cab1'))).status).toBe(404);
    expect((await h.http.get('/api/complaints').set(h.as('cab1'))).body.items).toEqual([]);
  });

  it('without a service owner the managers receive it; a manager assigns it and the handler closes it in time, with nothing escalated', async () => {
    const lateReminder = await h.http.put('/api/complaint-policies/serious').set(h.as('manager')).send({ targetSeconds: 600, remindBeforeSeconds: [600], escalateAfterSeconds: 600 });
    expect(lateReminder.status).toBe(400);
    expect(lateReminder.body.errors.map((e: { field: string }) => e.field)).toEqual(['remindBeforeSeconds']);
    expect((await h.http.put('/api/complaint-policies/serious').set(h.as('agent')).send({ targetSeconds: 600, remindBeforeSeconds: [300], escalateAfterSeconds: 600 })).status).toBe(403);
    await h.http.put('/api/complaint-policies/serious').set(h.as('manager')).send({ targetSeconds: 600, remindBeforeSeconds: [300], escalateAfterSeconds: 600 });
    const incident = await h.db.prisma.incident.findFirst({ where: { requesterId: h.userIds.requester } });
    const body = { subject: 'Rude reply from the desk', description: 'The reply to my ticket was dismissive and did not answer the question.', severity: 'serious' };
    // Staff log complaints for customers; customers only for themselves, and they cannot pick the handler.
    expect((await h.http.post('/api/complaints').set(h.as('requester')).send({ ...body, complainantId: h.userIds.cab1 })).status).toBe(403);
    expect((await h.http.post('/api/complaints').set(h.as('requester')).send({ ...body, handlerId: h.userIds.agent })).status).toBe(403);
    const bad = await h.http.post('/api/complaints').set(h.as('agent')).send({ ...body, severity: 'urgent', serviceId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['severity']);
    const unknownService = await h.http.post('/api/complaints').set(h.as('agent')).send({ ...body, serviceId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownService.status).toBe(400);
    expect(unknownService.body.errors.map((e: { field: string }) => e.field)).toEqual(['serviceId']);
    const before = await h.db.prisma.complaint.count();
    expect((await h.http.post('/api/complaints').set(h.as('agent')).send({ ...body, complainantId: h.userIds.requester, handlerId: h.userIds.requester })).status).toBe(400);
    expect(await h.db.prisma.complaint.count()).toBe(before);

    const logged = await h.http.post('/api/complaints').set(h.as('agent')).send({ ...body, complainantId: h.userIds.requester, incidentId: incident?.id });
    expect(logged.status).toBe(201);
    const complaint = logged.body;
    expect(complaint).toMatchObject({ state: 'received', handlerId: null, loggedById: h.userIds.agent, complainantId: h.userIds.requester });
    await eventually(async () => expect(await mails(complaint.id)).toEqual(['complaint-assigned li.wei@itsm.local', 'complaint-received riley.requester@itsm.local']));

    expect((await h.http.post(`/api/complaints/${complaint.id}/assign`).set(h.as('agent')).send({ handlerId: h.userIds.agent })).status).toBe(403);
    const assigned = await h.http.post(`/api/complaints/${complaint.id}/assign`).set(h.as('manager')).send({ handlerId: h.userIds.agent });
    expect(assigned.body).toMatchObject({ state: 'investigating', handlerId: h.userIds.agent });
    // Two closes at once (a double click), delivered in one activation: one is the formal close, the other is
    // refused with the state.
    const closeOnce = () => h.http.post(`/api/complaints/${complaint.id}/close`).set(h.as('agent')).send({ outcome: 'partially_upheld', resolution: 'Apologised by phone; the reply template is being rewritten.' });
    const both = await h.together(() => [closeOnce(), closeOnce()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const closed = both.find((r) => r.status === 200)!;
    expect(closed.body).toMatchObject({ state: 'closed', escalationLevel: 0 });
    expect(both.find((r) => r.status === 409)!.body.currentState).toBe('closed');
    await h.temporal.workflow.getHandle(`complaint-${complaint.id}`).result();
    expect(await events(complaint.id)).toEqual(['received', 'assigned', 'closed']);
    await eventually(async () => expect(await mails(complaint.id)).toEqual(['complaint-assigned li.wei@itsm.local', 'complaint-assigned mei.chen@itsm.local', 'complaint-closed riley.requester@itsm.local', 'complaint-received riley.requester@itsm.local']));
    // Each in the recipient's language: Li Wei and Mei Chen read Chinese, Riley English.
    const subjects = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-complaint-id'] === complaint.id).map((m) => `${m.to[0].address} ${m.subject}`).sort();
    expect(subjects).toEqual([
      `li.wei@itsm.local [${complaint.reference}] 待处理投诉：${body.subject}`,
      `mei.chen@itsm.local [${complaint.reference}] 待处理投诉：${body.subject}`,
      `riley.requester@itsm.local [${complaint.reference}] we have recorded your complaint`,
      `riley.requester@itsm.local [${complaint.reference}] your complaint is closed`,
    ]);
    const policies = await h.http.get('/api/complaint-policies').set(h.as('agent'));
    expect(policies.body.items).toEqual([
      { severity: 'standard', targetSeconds: 4, remindBeforeSeconds: [2], escalateAfterSeconds: 3 },
      { severity: 'serious', targetSeconds: 600, remindBeforeSeconds: [300], escalateAfterSeconds: 600 },
    ]);
  });
});
