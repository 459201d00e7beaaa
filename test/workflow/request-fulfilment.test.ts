import { readInbox } from '../../scripts/mail-catcher';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type DemoRole, type Harness } from '../support/harness';
import { recordHistoryIfAsked } from '../support/sla-fixtures';
import { timeline, uiView } from '../support/ui-metadata';
import { ItsmEscalationLevel, ItsmKind, ItsmSlaBreached, ItsmState } from '../../temporal-config/search-attributes';

describe.each(databaseKinds())('service requests on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const item = async (code: string) => h.db.prisma.catalogItem.findUniqueOrThrow({ where: { code } });
  const submit = (role: DemoRole, itemId: string, answers: Record<string, string>) => h.http.post('/api/requests').set(h.as(role)).send({ itemId, answers });
  const act = (role: DemoRole, id: string, verb: string, body: object = {}) => h.http.post(`/api/requests/${id}/${verb}`).set(h.as(role)).send(body);
  const events = async (requestId: string) => (await h.db.prisma.requestEvent.findMany({ where: { requestId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((e) => e.type);
  const mails = async (requestId: string) =>
    (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!))
      .filter((m) => m.headers['x-itsm-request-id'] === requestId)
      .map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}`)
      .sort();

  it('an ERP access request approved by the service owner records the entitlement: who holds it, on which system, in which role, granted and approved by whom', async () => {
    const erp = await item('ERP-ACCESS');
    const submitted = await submit('requester', erp.id, { justification: 'Month-end reconciliation' });
    expect(submitted.status).toBe(201);
    // Li Wei owns ERP; Mei Chen is no approver of it.
    expect((await act('agent', submitted.body.id, 'approve', { comment: '' })).status).toBe(403);
    const approved = await act('manager', submitted.body.id, 'approve', { comment: 'ok for month-end' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'fulfilment', approval: { kind: 'service_owner', approverIds: [h.userIds.manager] } });
    const task = approved.body.tasks[0];
    const done = await act('agent', submitted.body.id, 'complete-task', { taskId: task.id, notes: 'role granted in SU01' });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('fulfilled');
    const entitlement = await eventually(() => h.db.prisma.entitlement.findUniqueOrThrow({ where: { requestId: submitted.body.id }, include: { ci: true } }));
    expect(entitlement).toMatchObject({ userId: h.userIds.requester, role: 'finance-user', grantedById: h.userIds.agent, approvedById: h.userIds.manager, revokedAt: null });
    expect(entitlement.ci.code).toBe('app-erp');
    expect(entitlement.since.getTime()).toBeGreaterThan(Date.parse(submitted.body.createdAt));
  });

  it("a group's approval follows its quorum: with all of its members needed, one rejection ends it and the requester is told why", async () => {
    const support = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Application Support' } });
    const erp = await item('ERP-ACCESS');
    const { name, description, form, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds } = erp;
    const settings = { name, description, form, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds };
    const changed = await h.http
      .put(`/api/catalog-items/${erp.id}`)
      .set(h.as('manager'))
      .send({ ...settings, approval: { kind: 'group', groupId: support.id, quorum: { rule: 'all' } }, reason: 'the support team signs off ERP access' });
    expect(changed.status).toBe(200);
    const submitted = await submit('requester', erp.id, { justification: 'Audit support' });
    expect(submitted.body).toMatchObject({ state: 'approval', itemVersion: changed.body.version });
    const first = await act('agent', submitted.body.id, 'approve', { comment: 'fine by me' });
    expect(first.body).toMatchObject({ state: 'approval', approval: { kind: 'group', approverIds: [h.userIds.agent, h.userIds.manager].sort() } });
    const short = await act('manager', submitted.body.id, 'reject', { comment: 'no' });
    expect(short.status).toBe(400);
    expect(short.body.errors.map((e: { field: string }) => e.field)).toEqual(['comment']);
    const rejected = await act('manager', submitted.body.id, 'reject', { comment: 'Audit support uses read-only access' });
    expect(rejected.body.state).toBe('rejected');
    await eventually(async () => expect(await mails(submitted.body.id)).toContain('request-rejected riley.requester@itsm.local'));
    expect(await events(submitted.body.id)).toEqual(['submitted', 'approval', 'rejection']);
  });

  it('a group approver who holds no staff role reads the request and decides it through the API; other non-staff still get 404', async () => {
    const signOff = await h.db.prisma.group.create({ data: { name: `Finance sign-off ${kind}`, members: { create: [{ userId: h.userIds.auditor }] } } });
    const erp = await item('ERP-ACCESS');
    const { name, description, form, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds } = erp;
    const changed = await h.http
      .put(`/api/catalog-items/${erp.id}`)
      .set(h.as('manager'))
      .send({ name, description, form, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds, approval: { kind: 'group', groupId: signOff.id }, reason: 'finance signs off ERP access' });
    expect(changed.status).toBe(200);
    const submitted = await submit('requester', erp.id, { justification: 'Quarter close' });
    expect(submitted.body.state).toBe('approval');
    expect((await h.http.get(`/api/requests/${submitted.body.id}`).set(h.as('auditor'))).status).toBe(200);
    expect((await h.http.get('/api/requests').set(h.as('auditor'))).body.items.map((r: { id: string }) => r.id)).toContain(submitted.body.id);
    expect((await h.http.get(`/api/requests/${submitted.body.id}`).set(h.as('cab1'))).status).toBe(404);
    const approved = await act('auditor', submitted.body.id, 'approve', { comment: 'within budget' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'fulfilment', approval: { kind: 'group', approverIds: [h.userIds.auditor] } });
  });

  it('a VPN account without approval: more information pauses the clocks, the answer restarts them; cancelled, it takes nothing more and writes nothing', async () => {
    const vpn = await item('VPN');
    const submitted = await submit('requester', vpn.id, { startDate: '2027-01-04' });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    await eventually(async () => {
      const body = (await h.http.get(`/api/requests/${id}`).set(h.as('requester'))).body;
      if (body.state !== 'fulfilment' || !body.fulfilmentDueAt) throw new Error(`state ${body.state}`);
      return body;
    });
    await eventually(async () => expect(await mails(id)).toEqual(['request-submitted riley.requester@itsm.local', 'task-assigned sam.taylor@itsm.local']));
    // The requester answers questions; staff ask them.
    expect((await act('requester', id, 'request-info', { question: 'Which laptop?' })).status).toBe(403);
    const asked = await act('agent2', id, 'request-info', { question: 'Which device will you connect from?' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ state: 'info_needed', question: 'Which device will you connect from?', fulfilment: { dueAt: null } });
    expect(asked.body.fulfilment.pausedWithSecondsLeft).toBeGreaterThan(0);
    expect(asked.body.tasks[0].olaDueAt).toBeNull();
    // Nothing moves while it waits: the task cannot be worked, the request cannot be confirmed.
    expect((await act('agent2', id, 'complete-task', { taskId: asked.body.tasks[0].id })).status).toBe(409);
    expect((await act('requester', id, 'confirm')).status).toBe(409);
    expect((await act('agent2', id, 'provide-info', { answer: 'my laptop' })).status).toBe(403);
    const answered = await act('requester', id, 'provide-info', { answer: 'The new 14-inch laptop' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'fulfilment', question: null, fulfilment: { pausedWithSecondsLeft: null } });
    expect(answered.body.fulfilment.dueAt).not.toBeNull();
    expect(answered.body.tasks[0].olaDueAt).not.toBeNull();
    await eventually(async () => expect(await mails(id)).toContain('info-needed riley.requester@itsm.local'));

    // Someone else cannot cancel it; its requester can, and then every command answers 409 with nothing written.
    expect((await act('agent2', id, 'cancel', { reason: 'not needed' })).status).toBe(403);
    const cancelled = await act('requester', id, 'cancel', { reason: 'Found an old token' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    await h.temporal.workflow.getHandle(`request-${id}`).result();
    await eventually(async () => expect(await mails(id)).toContain('request-cancelled sam.taylor@itsm.local'));
    const written = await events(id);
    expect(written).toEqual(['submitted', 'fulfilment-started', 'info-requested', 'info-provided', 'cancelled']);
    for (const [role, verb, body] of [
      ['agent2', 'take-task', { taskId: asked.body.tasks[0].id }],
      ['requester', 'cancel', { reason: 'again please' }],
      ['manager', 'approve', { comment: '' }],
      ['requester', 'confirm', {}],
    ] as const) {
      const refused = await act(role, id, verb, body);
      expect([verb, refused.status, refused.body.currentState]).toEqual([verb, 409, 'cancelled']);
    }
    expect(await events(id)).toEqual(written);
    if (kind === 'pglite') await recordHistoryIfAsked(`request-${id}`, 'request-info-cancelled');
  });

  it('an unassigned task that misses its OLA reaches its group lead; the missed SLA reaches the service owner; two completions at once give one success and one 409; unconfirmed, it closes by itself and is surveyed', async () => {
    const calendar = await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } });
    const network = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } });
    const service = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'NET' } });
    const definition = {
      code: `FAST-${kind.toUpperCase()}`,
      serviceId: service.id,
      name: 'Port patching',
      form: { type: 'object', properties: {} },
      approval: { kind: 'none' },
      fulfilment: { mode: 'parallel', tasks: [{ name: 'Patch the port', groupId: network.id, olaSeconds: 2 }] },
      calendarId: calendar.id,
      responseTargetSeconds: 1,
      fulfilmentTargetSeconds: 3,
      autoCloseAfterSeconds: 1,
    };
    // A form that requires a field it does not have, and a task for a group that does not exist: 400 naming both.
    const bad = await h.http
      .post('/api/catalog-items')
      .set(h.as('manager'))
      .send({ ...definition, form: { type: 'object', required: ['port'], properties: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['form.required.0']);
    const noGroup = await h.http
      .post('/api/catalog-items')
      .set(h.as('manager'))
      .send({ ...definition, fulfilment: { mode: 'parallel', tasks: [{ name: 'Patch the port', groupId: '00000000-0000-4000-8000-000000000000', olaSeconds: 2 }] } });
    expect(noGroup.status).toBe(400);
    expect(noGroup.body.errors.map((e: { field: string }) => e.field)).toEqual(['fulfilment.tasks.0.groupId']);
    const created = await h.http.post('/api/catalog-items').set(h.as('manager')).send(definition);
    expect(created.status).toBe(201);
    const submitted = await submit('requester', created.body.id, {});
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const row = await eventually(async () => {
      const found = await h.db.prisma.serviceRequest.findUniqueOrThrow({ where: { id }, include: { tasks: true } });
      if (!found.fulfilmentBreached || !found.tasks[0].olaBreached) throw new Error('not breached yet');
      return found;
    });
    expect(row).toMatchObject({ responseBreached: true, fulfilmentBreached: true, state: 'fulfilment' });
    expect(row.tasks[0]).toMatchObject({ assigneeId: null, escalationLevel: 1 });
    // Sam Taylor leads Network Operations and owns the NET service: the OLA breach, both SLA breaches, the reminder.
    await eventually(async () =>
      expect(await mails(id)).toEqual([
        'ola-breach sam.taylor@itsm.local',
        'ola-reminder sam.taylor@itsm.local',
        'request-submitted riley.requester@itsm.local',
        'sla-breach sam.taylor@itsm.local',
        'sla-breach sam.taylor@itsm.local',
        'task-assigned sam.taylor@itsm.local',
      ]),
    );
    // What a manager sees in the Temporal UI: who asks for what, the clocks, the breach, the timeline's story.
    const handle = h.temporal.workflow.getHandle(`request-${id}`);
    const view = await eventually(async () => {
      const seen = await uiView(handle);
      if (!seen.currentDetails.includes('BREACHED')) throw new Error('details not refreshed yet');
      return seen;
    });
    expect(view.summary).toBe(`${submitted.body.reference} · Riley Requester · Port patching · Network and VPN`);
    expect(view.details).toContain('| Tasks | parallel: Patch the port → Network Operations (OLA 2 s) |');
    expect(view.currentDetails).toContain('| State | fulfilment |');
    expect(view.currentDetails).toMatch(/\| 1\. Patch the port \| open, OLA BREACHED, /);
    expect([view.attributes.get(ItsmKind), view.attributes.get(ItsmState), view.attributes.get(ItsmEscalationLevel), view.attributes.get(ItsmSlaBreached)]).toEqual(['request', 'fulfilment', 1, true]);
    // A worker that wakes late fires deadlines already due without a timer of their own, so only the first timer
    // is certain; every write and mail is.
    const story = await timeline(handle);
    expect(story[0]).toBe('response SLA breach → service owner or managers');
    expect(story.filter((line) => !line.includes(' SLA breach → ') && !line.startsWith('OLA '))).toEqual([
      'record: submitted',
      'mail: request submitted → requester',
      'mail: task assigned → group Network Operations',
      'record: fulfilment-started',
      'mail: sla breach → service owner or managers',
      'record: deadline.response-breach',
      'mail: ola reminder → group',
      'record: deadline.ola-reminder',
      'mail: ola breach → group lead',
      'record: deadline.ola-breach',
      'mail: sla breach → service owner or managers',
      'record: deadline.fulfilment-breach',
    ]);
    const complete = () => act('agent2', id, 'complete-task', { taskId: row.tasks[0].id, notes: 'patched' });
    const both = await h.together(() => [complete(), complete()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body.state).toBe('fulfilled');
    // Nobody confirms: it closes by itself after the item's auto-close time, and the survey goes out.
    expect(await handle.result()).toMatchObject({ state: 'closed' });
    // Its history carries the business-time OLA reminder's patch marker, so the replay suite covers that branch.
    if (kind === 'pglite') await recordHistoryIfAsked(`request-${id}`, 'request-ola-breached');
    expect(await events(id)).toEqual(['submitted', 'fulfilment-started', 'deadline.response-breach', 'deadline.ola-reminder', 'deadline.ola-breach', 'deadline.fulfilment-breach', 'fulfilled', 'deadline.auto-close']);
    await eventually(async () => expect((await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).some((m) => m.headers['x-itsm-survey-request-id'] === id)).toBe(true));
  });
});
