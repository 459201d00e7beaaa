import { eventually, startHarness, type Harness } from '../support/harness';
import { HIGH_RISK, LOW_RISK, changeTestService, configureBoard, decide, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

// The processes that open and end outages on their own: a major incident and a change that declares downtime.
describe('outages opened and ended by the processes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  const outagesOf = (where: { incidentId?: string; changeId?: string }) => h.db.prisma.outage.findMany({ where, orderBy: { serviceId: 'asc' } });

  it('a major incident is an unplanned outage of its service from its declaration to its resolution, once however often it is retried', async () => {
    const service = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'ERP' } });
    const raised = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Payroll run fails for every employee', impact: 'high', urgency: 'high', serviceId: service.id });
    const id = raised.body.id as string;
    const act = (verb: string, role: 'agent' | 'manager', body: object) => h.http.post(`/api/incidents/${id}/${verb}`).set(h.as(role)).send(body);
    expect((await act('major', 'manager', { reason: 'payroll is due tomorrow' })).status).toBe(200);
    const [opened] = await eventually(async () => {
      const found = await outagesOf({ incidentId: id });
      if (found.length === 0) throw new Error('no outage yet');
      return found;
    });
    expect(opened).toMatchObject({ serviceId: service.id, planned: false, endedAt: null, sourceKey: `incident:${id}:major:${service.id}` });
    expect((await act('resolve', 'agent', { code: 'fixed', summary: 'Tax table reloaded' })).status).toBe(200);
    const closed = await eventually(async () => {
      const [outage] = await outagesOf({ incidentId: id });
      if (!outage.endedAt) throw new Error('still open');
      return outage;
    });
    const resolvedAt = (await h.db.prisma.incident.findUniqueOrThrow({ where: { id } })).resolvedAt!;
    expect(closed.endedAt!.getTime()).toBe(resolvedAt.getTime());
    expect(await outagesOf({ incidentId: id })).toHaveLength(1);
    expect((await act('close', 'agent', {})).status).toBe(200);
    await eventually(async () => {
      const { status } = await h.temporal.workflow.getHandle(`incident-${id}`).describe();
      if (status.name !== 'COMPLETED') throw new Error(status.name);
    });
    await recordHistoryIfAsked(`incident-${id}`, 'incident-major-outage');
  });

  it('a change that declares downtime is a planned outage of each of its services while it is implemented; one that does not opens none', async () => {
    await configureBoard(h, 'ECAB', { members: ['manager', 'cab1'], quorum: { rule: 'any' }, decisionSeconds: 60, reviewSeconds: 600 });
    const services = [await changeTestService(h), await changeTestService(h)];
    const now = Date.now();
    const window = { plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 3_600_000).toISOString() };
    const refused = await h.http.post('/api/changes').set(h.as('requester')).send({ type: 'emergency', title: 'Swap the failed storage controller', justification: 'The array runs on one controller', serviceIds: services.map((s) => s.id), implementationPlan: 'Swap the controller', backoutPlan: 'Put the old one back', ...window, estimatedCost: 0, riskAnswers: LOW_RISK, downtime: true });
    expect([refused.status, refused.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, ['downtime']]);

    async function implement(downtime: boolean) {
      const change = await raiseChange(h, services[downtime ? 0 : 1].id, { type: 'emergency', title: 'Swap the failed storage controller', serviceIds: downtime ? services.map((s) => s.id) : [services[1].id], ...window, riskAnswers: HIGH_RISK, downtime });
      await waitForChangeState(h, change.id, 'approval');
      expect((await decide(h, change.id, 'cab1', 'approve')).body.state).toBe('approved');
      const act = (verb: string, body: object = {}) => h.http.post(`/api/changes/${change.id}/${verb}`).set(h.as('agent')).send(body);
      expect((await act('schedule')).body.state).toBe('scheduled');
      const started = await act('start');
      expect(started.body.state).toBe('implementing');
      return { change, act };
    }

    const { change, act } = await implement(true);
    expect((await h.http.get(`/api/changes/${change.id}`).set(h.as('agent'))).body.downtime).toBe(true);
    const opened = await eventually(async () => {
      const found = await outagesOf({ changeId: change.id });
      if (found.length < 2) throw new Error(`${found.length} outages`);
      return found;
    });
    const startedAt = (await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } })).implementationStartedAt!;
    expect(opened.map((o) => [o.serviceId, o.planned, o.startedAt.getTime(), o.endedAt])).toEqual([...services].sort((a, b) => a.id.localeCompare(b.id)).map((s) => [s.id, true, startedAt.getTime(), null]));
    expect((await act('complete', { notes: 'Controller swapped, array healthy' })).body.state).toBe('review');
    await eventually(async () => {
      const ended = await outagesOf({ changeId: change.id });
      const implementedAt = (await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } })).implementedAt!;
      expect(ended.map((o) => o.endedAt?.getTime())).toEqual([implementedAt.getTime(), implementedAt.getTime()]);
    });
    expect((await h.http.post(`/api/changes/${change.id}/review`).set(h.as('manager')).send({ summary: 'Swap went to plan', lessons: 'Keep a spare controller on site' })).body.state).toBe('closed');
    await eventually(async () => {
      const { status } = await h.temporal.workflow.getHandle(change.workflowId).describe();
      if (status.name !== 'COMPLETED') throw new Error(status.name);
    });
    await recordHistoryIfAsked(change.workflowId, 'change-downtime-outage');

    const quiet = await implement(false);
    expect((await quiet.act('fail', { reason: 'Wrong part delivered', backoutPerformed: true, backoutNotes: 'Old controller back in' })).body.state).toBe('review');
    expect(await outagesOf({ changeId: quiet.change.id })).toEqual([]);
  });
});
