import { eventually, startHarness, type Harness } from '../support/harness';
import { openIncidentVia, secondScaleService, slaEvents } from '../support/sla-fixtures';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('incident paths beyond the main timeline', () => {
  let h: Harness;
  let serviceDeskId: string;
  let netopsId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
    netopsId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } })).id;
  });
  afterAll(() => h?.close());

  it('a customer reply resumes a pending incident', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 600 });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'which laptop is it?' }).expect(200);
    const reply = await h.http.post(`/api/incidents/${incident.id}/notes`).set(h.as('requester')).send({ body: 'The grey ThinkPad' });
    expect(reply.body).toMatchObject({ state: 'in_progress', resolution: { paused: false } });
  });

  it('a priority change while pending keeps the incident paused and its elapsed time', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 100 }, { P3: { resolutionSeconds: 300 }, P1: { resolutionSeconds: 60 } });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    await wait(1_000);
    const paused = await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting for the vendor' });
    const spent = paused.body.resolution.elapsedSeconds;
    const changed = await h.http.post(`/api/incidents/${incident.id}/priority`).set(h.as('agent')).send({ impact: 'high', urgency: 'high', reason: 'CEO affected' });
    expect(changed.body).toMatchObject({ state: 'pending', priority: 'P1', resolution: { paused: true, dueAt: null, targetSeconds: 60, elapsedSeconds: spent } });
    const resumed = await h.http.post(`/api/incidents/${incident.id}/resume`).set(h.as('agent')).send({});
    const resumedAt = (await h.db.prisma.incidentEvent.findFirstOrThrow({ where: { incidentId: incident.id, type: 'resumed' } })).at.getTime();
    expect(resumed.body.resolution.elapsedSeconds).toBe(spent);
    expect(Math.abs(Date.parse(resumed.body.resolution.dueAt) - (resumedAt + (60 - paused.body.resolution.elapsedSeconds) * 1000))).toBeLessThan(1_000);
  });

  it('an escalation level can hand the incident to another group, and the customer hears the target will be missed', async () => {
    const service = await secondScaleService(h, {
      responseSeconds: 600,
      resolutionSeconds: 2,
      escalationChain: [{ level: 1, atFraction: 1, notify: ['groupLead'], reassignToGroupId: netopsId }],
    }, { P3: { resolutionSeconds: 2 } });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    const escalation = await eventually(async () => {
      const found = (await slaEvents(h, incident.id)).find((e) => (e.data as { key: string }).key === 'escalation:1');
      if (!found) throw new Error('not escalated yet');
      return found;
    });
    expect(escalation.data).toMatchObject({ level: 1, reassignedToGroupId: netopsId });
    const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.groupId).toBe(netopsId);
    const mails = await eventually(async () => {
      const rows = await h.db.prisma.notification.findMany({ where: { incidentId: incident.id, status: 'sent' } });
      if (!rows.some((r) => r.kind === 'escalation') || !rows.some((r) => r.kind === 'at-risk')) throw new Error('not sent yet');
      return rows;
    });
    // The escalation goes to the lead of the group it was handed to (Sam Taylor leads Network Operations).
    expect(mails.filter((r) => r.kind === 'escalation').map((r) => r.recipient)).toEqual(['sam.taylor@itsm.local']);
    expect(mails.filter((r) => r.kind === 'at-risk').map((r) => r.recipient)).toEqual(['riley.requester@itsm.local']);
  });

  it('two resolves at the same instant: one is taken, the other is refused with the state it met', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 600 });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    const resolveOnce = () => h.http.post(`/api/incidents/${incident.id}/resolve`).set(h.as('agent')).send({ code: 'workaround', summary: 'restarted the switch' });
    const both = await h.together(() => [resolveOnce(), resolveOnce()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body).toMatchObject({ state: 'resolved' });
    expect(both.find((r) => r.status === 409)!.body.currentState).toBe('resolved');
    const resolved = await h.db.prisma.incidentEvent.count({ where: { incidentId: incident.id, type: 'resolved' } });
    expect(resolved).toBe(1);
  });

  it('declaring a major incident tells the service owner', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 600 });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/major`).set(h.as('manager')).send({ reason: 'all branches offline' }).expect(200);
    const notice = await eventually(() => h.db.prisma.notification.findFirstOrThrow({ where: { incidentId: incident.id, kind: 'major', status: 'sent' } }));
    expect(notice.recipient).toBe('li.wei@itsm.local');
  });
});
