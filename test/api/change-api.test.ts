import { databaseKinds } from '../support/databases';
import { changeBody, changeTestService, configureBoard, decide, raiseChange, standardChange, waitForChangeState } from '../support/change-fixtures';
import { startHarness, type Harness } from '../support/harness';

const HOUR = 3_600_000;
const at = (base: number, hours: number) => new Date(base + hours * HOUR).toISOString();

describe.each(databaseKinds())('changes through the API on %s', (kind) => {
  let h: Harness;
  const base = Date.UTC(2031, 0, 6, 0, 0, 0);
  beforeAll(async () => {
    h = await startHarness(kind);
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 3_600 });
  });
  afterAll(() => h?.close());

  async function approvedChange(serviceId: string, overrides: Record<string, unknown> = {}) {
    const change = await raiseChange(h, serviceId, overrides);
    await waitForChangeState(h, change.id, 'approval');
    expect((await decide(h, change.id, 'cab1', 'approve')).body.state).toBe('approved');
    return change;
  }
  const conflicts = (query: Record<string, string>) => h.http.get('/api/change-conflicts').query(query).set(h.as('agent'));

  it('finds a blackout, a closed maintenance window and an approved change on the same CI, and nothing where there is nothing', async () => {
    const service = await changeTestService(h);
    const other = await changeTestService(h);
    const blackout = await h.http.post('/api/blackout-periods').set(h.as('manager')).send({ serviceId: service.id, name: 'Quarter close', startsAt: at(base, 10), endsAt: at(base, 12) });
    expect(blackout.status).toBe(201);
    const closed = await h.http.post('/api/maintenance-windows').set(h.as('manager')).send({ serviceId: service.id, name: 'Withdrawn window', startsAt: at(base, 20), endsAt: at(base, 22), status: 'closed' });
    expect(closed.status).toBe(201);
    const holder = await approvedChange(other.id, { affectedCis: ['db-cluster-01'], plannedStart: at(base, 30), plannedEnd: at(base, 31) });

    const inBlackout = await conflicts({ service: service.code, from: at(base, 11), to: at(base, 11.5) });
    expect(inBlackout.status).toBe(200);
    expect(inBlackout.body.conflicts).toEqual([expect.objectContaining({ kind: 'blackout', withId: blackout.body.id })]);

    const inClosed = await conflicts({ service: service.id, from: at(base, 21), to: at(base, 23) });
    expect(inClosed.body.conflicts).toEqual([expect.objectContaining({ kind: 'closed-maintenance-window', withId: closed.body.id })]);

    const onSameCi = await conflicts({ service: service.code, ci: 'db-cluster-01', from: at(base, 30.5), to: at(base, 32) });
    expect(onSameCi.body.conflicts).toEqual([expect.objectContaining({ kind: 'change-overlap', withId: holder.id, cis: ['db-cluster-01'] })]);

    for (const [from, to] of [[12, 13], [22, 23], [31, 32], [40, 41]]) {
      const clear = await conflicts({ service: service.code, ci: 'db-cluster-01', from: at(base, from), to: at(base, to) });
      expect(clear.body.conflicts).toEqual([]);
    }
    const otherCi = await conflicts({ service: service.code, ci: 'web-01', from: at(base, 30), to: at(base, 31) });
    expect(otherCi.body.conflicts).toEqual([]);
  });

  it('requires an open maintenance window where a service publishes them', async () => {
    const service = await changeTestService(h);
    await h.http.post('/api/maintenance-windows').set(h.as('manager')).send({ serviceId: service.id, name: 'Sunday early', startsAt: at(base, 50), endsAt: at(base, 54) }).expect(201);
    expect((await conflicts({ service: service.code, from: at(base, 51), to: at(base, 53) })).body.conflicts).toEqual([]);
    expect((await conflicts({ service: service.code, from: at(base, 53), to: at(base, 55) })).body.conflicts).toEqual([expect.objectContaining({ kind: 'outside-maintenance-window' })]);
  });

  it('a conflict blocks scheduling (409 listing it) unless a manager overrides it with a reason', async () => {
    const service = await changeTestService(h);
    await h.http.post('/api/blackout-periods').set(h.as('manager')).send({ serviceId: null, name: 'Global freeze', startsAt: at(base, 100), endsAt: at(base, 110) }).expect(201);
    const change = await approvedChange(service.id, { plannedStart: at(base, 105), plannedEnd: at(base, 106) });
    const blocked = await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({});
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ currentState: 'approved', conflicts: [expect.objectContaining({ kind: 'blackout', detail: expect.stringContaining('all services') })] });
    const notManager = await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({ overrideReason: 'Security fix cannot wait' });
    expect(notManager.status).toBe(403);
    const overridden = await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('manager')).send({ overrideReason: 'Security fix cannot wait' });
    expect(overridden.status).toBe(200);
    expect(overridden.body).toMatchObject({ state: 'scheduled', conflicts: [expect.objectContaining({ kind: 'blackout' })] });
    const detail = await h.http.get(`/api/changes/${change.id}`).set(h.as('agent'));
    expect(detail.body).toMatchObject({ state: 'scheduled', conflictOverride: { reason: 'Security fix cannot wait', actorId: h.userIds.manager } });
    expect(detail.body.events.map((e: { type: string }) => e.type)).toContain('scheduled');

    // Rescheduled into a clear window, without any override.
    const moved = await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({ plannedStart: at(base, 120), plannedEnd: at(base, 121) });
    expect(moved.body).toMatchObject({ state: 'scheduled', scheduledStart: at(base, 120), conflicts: [] });
  });

  it('the requester approving their own change gets 403 with the reason', async () => {
    const service = await changeTestService(h);
    const change = await raiseChange(h, service.id, {}, 'manager');
    await waitForChangeState(h, change.id, 'approval');
    const own = await decide(h, change.id, 'manager', 'approve');
    expect(own.status).toBe(403);
    expect(own.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(own.body.detail).toMatch(/cannot be decided by its requester \(segregation of duties\)/);
    const outsider = await decide(h, change.id, 'agent2', 'approve');
    expect(outsider.status).toBe(403);
    expect(outsider.body.detail).toMatch(/not an approver of the/);
    expect(await h.db.prisma.changeApproval.count({ where: { changeId: change.id } })).toBe(0);
  });

  it('answers every illegal transition with 409 and the current state', async () => {
    const service = await changeTestService(h);
    const draft = await raiseChange(h, service.id, { submit: false });
    expect(draft.state).toBe('draft');
    const post = (id: string, verb: string, body: object = {}, role: 'agent' | 'manager' | 'requester' | 'cab1' = 'agent') => h.http.post(`/api/changes/${id}/${verb}`).set(h.as(role)).send(body);
    for (const [verb, body] of [['start', {}], ['complete', {}], ['fail', { reason: 'x broke', backoutPerformed: true }], ['schedule', {}]] as const) {
      const refused = await post(draft.id, verb, body);
      expect([verb, refused.status, refused.body.currentState]).toEqual([verb, 409, 'draft']);
    }
    expect((await post(draft.id, 'review', { summary: 'nothing to review' }, 'manager')).body.currentState).toBe('draft');
    expect((await post(draft.id, 'approve', {}, 'cab1')).status).toBe(409);
    expect((await post(draft.id, 'submit', {}, 'requester')).status).toBe(200);
    await waitForChangeState(h, draft.id, 'approval');
    const again = await post(draft.id, 'submit', {}, 'requester');
    expect([again.status, again.body.currentState]).toEqual([409, 'approval']);
    expect((await post(draft.id, 'start')).body.currentState).toBe('approval');
    expect((await post(draft.id, 'cancel', { reason: 'No longer needed' }, 'requester')).body.state).toBe('cancelled');
    const ended = await post(draft.id, 'cancel', { reason: 'twice' }, 'requester');
    expect([ended.status, ended.body.currentState]).toEqual([409, 'cancelled']);
  });

  it('a standard change is pre-approved by its template, and refused when it exceeds it', async () => {
    const service = await changeTestService(h);
    const template = await standardChange(h, service.id);
    const standard = await raiseChange(h, service.id, template);
    await waitForChangeState(h, standard.id, 'approved');
    const record = await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: standard.id } });
    expect(record.costApprovedAt).not.toBeNull();
    expect(await h.db.prisma.changeApproval.count({ where: { changeId: standard.id } })).toBe(0);

    const tooLong = await raiseChange(h, service.id, { ...template, plannedEnd: new Date(Date.now() + 10 * HOUR).toISOString() });
    await waitForChangeState(h, tooLong.id, 'rejected');
    expect((await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: tooLong.id } })).closeReason).toMatch(/exceeds the template/);
  });

  it('bad input is a 400 naming the field, and writes nothing', async () => {
    const service = await changeTestService(h);
    const before = await h.db.prisma.changeRequest.count();
    const send = (overrides: Record<string, unknown>) => h.http.post('/api/changes').set(h.as('requester')).send(changeBody(service.id, overrides));
    const cases: [Record<string, unknown>, string][] = [
      [{ plannedEnd: new Date(Date.now() - HOUR).toISOString() }, 'plannedEnd'],
      [{ serviceIds: [service.id, '0190b6d2-0000-7000-8000-000000000000'] }, 'serviceIds.1'],
      [{ riskAnswers: { userImpact: 'everyone', complexity: 'low', downtime: 'none', testedBeforehand: 'yes', backoutTested: 'yes', doneBefore: 'yes' } }, 'riskAnswers.userImpact'],
      [{ type: 'standard' }, 'templateId'],
      [{ estimatedCost: -5 }, 'estimatedCost'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [overrides, field] of cases) {
      const response = await send(overrides);
      expect([field, response.status, response.headers['content-type']]).toEqual([field, 400, expect.stringMatching(/application\/problem\+json/)]);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const reject = await h.http.post(`/api/changes/${(await raiseChange(h, service.id, { submit: false })).id}/reject`).set(h.as('cab1')).send({});
    expect(reject.status).toBe(400);
    expect(reject.body.errors[0].field).toBe('comment');
    expect(await h.db.prisma.changeRequest.count()).toBe(before + 1);
  });

  it('maintenance windows and blackouts: managers write, staff read, bad windows are refused', async () => {
    const service = await changeTestService(h);
    const body = { serviceId: service.id, name: 'Tuesday late', startsAt: at(base, 200), endsAt: at(base, 202) };
    expect((await h.http.post('/api/maintenance-windows').set(h.as('agent')).send(body)).status).toBe(403);
    const created = await h.http.post('/api/maintenance-windows').set(h.as('manager')).send(body);
    expect(created.status).toBe(201);
    const listed = await h.http.get('/api/maintenance-windows').query({ serviceId: service.id }).set(h.as('cab1'));
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, status: 'open' })]);
    const replaced = await h.http.put(`/api/maintenance-windows/${created.body.id}`).set(h.as('manager')).send({ ...body, status: 'closed' });
    expect(replaced.body.status).toBe('closed');
    const backwards = await h.http.post('/api/blackout-periods').set(h.as('manager')).send({ name: 'Backwards', startsAt: at(base, 5), endsAt: at(base, 4) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('endsAt');
    const unknownService = await h.http.post('/api/blackout-periods').set(h.as('manager')).send({ serviceId: '0190b6d2-0000-7000-8000-000000000000', name: 'Nowhere', startsAt: at(base, 4), endsAt: at(base, 5) });
    expect(unknownService.body.errors[0].field).toBe('serviceId');
    expect((await h.http.delete(`/api/maintenance-windows/${created.body.id}`).set(h.as('manager'))).status).toBe(204);
    expect((await h.http.get(`/api/maintenance-windows/${created.body.id}`).set(h.as('agent'))).status).toBe(404);
  });

  it('requesters see only their own changes', async () => {
    const service = await changeTestService(h);
    const others = await raiseChange(h, service.id, { submit: false }, 'agent');
    expect((await h.http.get(`/api/changes/${others.id}`).set(h.as('requester'))).status).toBe(404);
    const mine = await h.http.get('/api/changes').set(h.as('requester'));
    expect(mine.body.items.every((c: { requesterId: string }) => c.requesterId === h.userIds.requester)).toBe(true);
    expect((await h.http.get(`/api/changes/${others.id}`).set(h.as('cab2'))).status).toBe(200);
  });
});
