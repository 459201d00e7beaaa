import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type DemoRole, type Harness } from '../support/harness';

describe.each(databaseKinds())('incident actions through the API on %s', (kind) => {
  let h: Harness;
  let serviceId: string;
  let serviceDeskId: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    serviceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'DESK' } })).id;
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
  });
  afterAll(() => h?.close());

  async function raise(role: DemoRole = 'requester') {
    const response = await h.http.post('/api/incidents').set(h.as(role)).send({ title: 'Laptop will not boot', impact: 'low', urgency: 'medium', serviceId });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }
  const act = (id: string, verb: string, role: DemoRole, body: object = {}) => h.http.post(`/api/incidents/${id}/${verb}`).set(h.as(role)).send(body);

  async function expectConflict(id: string, verb: string, body: object, state: string) {
    const response = await act(id, verb, 'manager', body);
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409, currentState: state });
    expect(response.body.detail).toEqual(expect.any(String));
  }

  it('every illegal transition answers 409 with the current state, and writes nothing', async () => {
    const id = await raise();
    await eventually(async () => {
      if (!(await h.db.prisma.incident.findUniqueOrThrow({ where: { id } })).resolutionDueAt) throw new Error('not initialised');
    });
    const eventsBefore = await h.db.prisma.incidentEvent.count({ where: { incidentId: id } });
    await expectConflict(id, 'resume', {}, 'new');
    await expectConflict(id, 'pending', { reason: 'waiting' }, 'new');
    await expectConflict(id, 'reopen', { reason: 'again please' }, 'new');
    await expectConflict(id, 'close', {}, 'new');
    expect(await h.db.prisma.incidentEvent.count({ where: { incidentId: id } })).toBe(eventsBefore);

    expect((await act(id, 'acknowledge', 'agent')).body.state).toBe('in_progress');
    await expectConflict(id, 'acknowledge', {}, 'in_progress');
    await expectConflict(id, 'resume', {}, 'in_progress');
    expect((await act(id, 'pending', 'agent', { reason: 'awaiting spare part' })).body.state).toBe('pending');
    await expectConflict(id, 'pending', { reason: 'still waiting' }, 'pending');
    expect((await act(id, 'resolve', 'agent', { code: 'replaced', summary: 'New SSD fitted' })).body.state).toBe('resolved');
    await expectConflict(id, 'pending', { reason: 'x x x' }, 'resolved');
    await expectConflict(id, 'resolve', { code: 'again', summary: 'again and again' }, 'resolved');
    await expectConflict(id, 'assign', { groupId: serviceDeskId }, 'resolved');
    await expectConflict(id, 'priority', { impact: 'high', urgency: 'high', reason: 'too late now' }, 'resolved');
    await expectConflict(id, 'major', { reason: 'too late now' }, 'resolved');
    expect((await act(id, 'close', 'requester')).body.state).toBe('closed');
    await eventually(async () => {
      const { status } = await h.temporal.workflow.getHandle(`incident-${id}`).describe();
      if (status.name !== 'COMPLETED') throw new Error(status.name);
    });
    await expectConflict(id, 'notes', { body: 'anyone?' }, 'closed');
    await expectConflict(id, 'reopen', { reason: 'came back' }, 'closed');
  });

  it('a requester reports, talks and confirms, but cannot work the incident', async () => {
    const id = await raise();
    for (const [verb, body] of [
      ['assign', { groupId: serviceDeskId }],
      ['acknowledge', {}],
      ['pending', { reason: 'waiting' }],
      ['resume', {}],
      ['priority', { impact: 'high', urgency: 'high', reason: 'I am important' }],
      ['resolve', { code: 'self', summary: 'I fixed it myself' }],
      ['major', { reason: 'it is a disaster' }],
    ] as const) {
      const response = await act(id, verb, 'requester', body);
      expect([verb, response.status]).toEqual([verb, 403]);
    }
    expect((await act(id, 'notes', 'requester', { body: 'It also smells of smoke', visibility: 'internal' })).status).toBe(403);
    const note = await act(id, 'notes', 'requester', { body: 'It also smells of smoke' });
    expect(note.status).toBe(200);

    const othersIncident = await raise('agent');
    expect((await act(othersIncident, 'notes', 'requester', { body: 'hello' })).status).toBe(404);
    expect((await h.http.get(`/api/incidents/${othersIncident}`).set(h.as('requester'))).status).toBe(404);
  });

  it('agents work incidents; overriding the priority matrix and declaring a major incident are for managers', async () => {
    const id = await raise();
    expect((await act(id, 'assign', 'agent', { groupId: serviceDeskId, assigneeId: h.userIds.agent })).status).toBe(200);
    expect((await act(id, 'priority', 'agent', { priority: 'P1', reason: 'feels urgent' })).status).toBe(403);
    expect((await act(id, 'priority', 'agent', { impact: 'high', urgency: 'medium', reason: 'whole team affected' })).body.priority).toBe('P2');
    expect((await act(id, 'major', 'agent', { reason: 'site down' })).status).toBe(403);
    const major = await act(id, 'major', 'manager', { reason: 'all of finance is down' });
    expect(major.status).toBe(200);
    expect(major.body).toMatchObject({ major: true, priority: 'P1' });
    await expectConflict(id, 'major', { reason: 'declare it twice' }, 'assigned');
    expect((await act(id, 'priority', 'manager', { priority: 'P2', reason: 'workaround in place' })).body.priority).toBe('P2');
  });

  it('assignment is checked against real groups and their members', async () => {
    const id = await raise();
    const netops = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } });
    const notMember = await act(id, 'assign', 'agent', { groupId: netops.id, assigneeId: h.userIds.agent });
    expect(notMember.status).toBe(400);
    expect(notMember.body.errors[0].field).toBe('assigneeId');
    const noGroup = await act(id, 'assign', 'agent', { groupId: '00000000-0000-4000-8000-000000000000' });
    expect(noGroup.body.errors[0].field).toBe('groupId');
    expect((await act(id, 'assign', 'agent', { assigneeId: h.userIds.requester })).status).toBe(400);
    expect((await act(id, 'assign', 'agent', {})).status).toBe(400);
  });

  it('requesters see the public history only; agents see internal notes and the live clocks', async () => {
    const id = await raise();
    await act(id, 'notes', 'agent', { body: 'Customer is the CFO, be quick', visibility: 'internal' });
    await act(id, 'notes', 'agent', { body: 'We are on it', visibility: 'public' });
    const asAgent = await h.http.get(`/api/incidents/${id}`).set(h.as('agent'));
    expect(asAgent.body.events.map((e: { type: string }) => e.type)).toEqual(['opened', 'note', 'note']);
    expect(asAgent.body.live).toBe(true);
    expect(asAgent.body.clocks.response).toMatchObject({ stopped: true });
    expect(asAgent.body.clocks.resolution).toMatchObject({ stopped: false, dueAt: expect.any(String) });
    const asRequester = await h.http.get(`/api/incidents/${id}`).set(h.as('requester'));
    expect(asRequester.body.events.map((e: { data: { body?: string } }) => e.data.body ?? null)).toEqual([null, 'We are on it']);
  });

  it('the first response is an acknowledgement or a public agent note, not an internal note or a customer reply', async () => {
    const id = await raise();
    await act(id, 'notes', 'agent', { body: 'internal only', visibility: 'internal' });
    await act(id, 'notes', 'requester', { body: 'any news?' });
    expect((await h.http.get(`/api/incidents/${id}`).set(h.as('agent'))).body.clocks.response.stopped).toBe(false);
    await act(id, 'notes', 'agent', { body: 'Looking now', visibility: 'public' });
    const after = await h.http.get(`/api/incidents/${id}`).set(h.as('agent'));
    expect(after.body.clocks.response.stopped).toBe(true);
    const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id } });
    expect(row.respondedAt).not.toBeNull();
  });
});
