import { randomUUID } from 'node:crypto';
import { readInbox } from '../../scripts/mail-catcher';
import { databaseKinds } from '../support/databases';
import { changeTestService, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';

describe.each(databaseKinds())('the CMDB through the API on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const ciByCode = (code: string) => h.db.prisma.configurationItem.findUniqueOrThrow({ where: { code } });
  const server = (overrides: Record<string, unknown> = {}) => ({ code: `srv-${Date.now()}`, name: 'App server', type: 'server', attributes: { hostname: 'app01.corp.local', cpus: 8 }, ...overrides });

  it('refuses attributes of the wrong shape for the type with a 400 naming each attribute, and records nothing', async () => {
    const before = await h.db.prisma.configurationItem.count();
    const wrongType = await h.http.post('/api/cis').set(h.as('agent')).send(server({ attributes: { hostname: 'app01', cpus: 'eight' } }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.type).toBe('application/problem+json');
    expect(wrongType.body.errors).toEqual([expect.objectContaining({ location: 'body', field: 'attributes.cpus' })]);

    const unknownAndMissing = await h.http.post('/api/cis').set(h.as('agent')).send(server({ attributes: { colour: 'blue' } }));
    expect(unknownAndMissing.status).toBe(400);
    expect(unknownAndMissing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['attributes.colour', 'attributes.hostname']);

    const database = await h.http.post('/api/cis').set(h.as('agent')).send({ code: 'db-bad', name: 'Bad', type: 'database', attributes: { engine: 'excel' } });
    expect(database.status).toBe(400);
    expect(database.body.detail).toContain('body.attributes.engine');
    expect(await h.db.prisma.configurationItem.count()).toBe(before);
  });

  it('checks an edit against the CI type too, and keeps who changed what under which change request', async () => {
    const created = await h.http.post('/api/cis').set(h.as('agent')).send(server({ code: 'srv-history' }));
    expect(created.status).toBe(201);
    const bad = await h.http.patch(`/api/cis/${created.body.id}`).set(h.as('agent')).send({ attributes: { hostname: 'app01', memoryGb: -4 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('attributes.memoryGb');

    const service = await changeTestService(h);
    const change = await raiseChange(h, service.id, { submit: false });
    const edited = await h.http.patch(`/api/cis/${created.body.id}`).set(h.as('agent2')).send({ attributes: { hostname: 'app01.corp.local', cpus: 16 }, status: 'maintenance', changeId: change.id });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'maintenance', attributes: { cpus: 16 } });

    const detail = await h.http.get(`/api/cis/${created.body.id}`).set(h.as('agent'));
    expect(detail.body.history.map((entry: { kind: string }) => entry.kind)).toEqual(['created', 'updated']);
    expect(detail.body.history[1]).toMatchObject({
      actorId: h.userIds.agent2,
      changeRequestId: change.id,
      diff: { status: { from: 'active', to: 'maintenance' }, attributes: { from: { hostname: 'app01.corp.local', cpus: 8 }, to: { hostname: 'app01.corp.local', cpus: 16 } } },
    });
  });

  it('relates CIs, records it on both, and answers impact analysis on the seeded graph', async () => {
    const db = await ciByCode('db-cluster-01');
    const impact = await h.http.get(`/api/cis/${db.id}/impact`).query({ depth: 3 }).set(h.as('agent'));
    expect(impact.status).toBe(200);
    expect(impact.body.downstream.cis.map((ci: { code: string }) => ci.code)).toEqual(['app-erp', 'svc-erp']);
    expect(impact.body.downstream.services.map((s: { code: string }) => s.code)).toEqual(['ERP']);
    expect(impact.body.upstream.cis.map((ci: { code: string; depth: number }) => `${ci.code}@${ci.depth}`)).toEqual(['srv-db-01@1', 'srv-db-02@1', 'sw-core-01@2']);

    const backup = await h.http.post('/api/cis').set(h.as('agent')).send({ code: 'backup-01', name: 'Backup store', type: 'storage', attributes: { capacityTb: 40 } });
    const related = await h.http.post(`/api/cis/${backup.body.id}/relationships`).set(h.as('agent')).send({ type: 'connected_to', target: 'sw-core-01' });
    expect(related.status).toBe(201);
    expect((await h.http.post(`/api/cis/${backup.body.id}/relationships`).set(h.as('agent')).send({ type: 'connected_to', target: 'sw-core-01' })).status).toBe(409);
    expect((await h.http.post(`/api/cis/${backup.body.id}/relationships`).set(h.as('agent')).send({ type: 'runs_on', target: 'no-such-ci' })).body.errors[0].field).toBe('target');
    const switchCi = await ciByCode('sw-core-01');
    const switchHistory = (await h.http.get(`/api/cis/${switchCi.id}`).set(h.as('agent'))).body.history;
    expect(switchHistory.at(-1)).toMatchObject({ kind: 'relationship-added', diff: { relationship: 'backup-01 connected_to sw-core-01' } });
    const fromSwitch = await h.http.get(`/api/cis/${switchCi.id}/impact`).query({ depth: 1 }).set(h.as('agent'));
    expect(fromSwitch.body.downstream.cis.map((ci: { code: string }) => ci.code)).toContain('backup-01');

    const removed = await h.http.delete(`/api/cis/${backup.body.id}/relationships/${related.body.id}`).set(h.as('agent'));
    expect(removed.status).toBe(200);
    expect((await h.http.get(`/api/cis/${backup.body.id}/relationships`).set(h.as('agent'))).body.items).toEqual([]);
  });

  it('alerts on the over-used licence and the warranty ending within 30 days', async () => {
    const alerts = await h.http.get('/api/ci-alerts').set(h.as('manager'));
    expect(alerts.status).toBe(200);
    const byCode = Object.fromEntries(alerts.body.items.map((ci: { code: string; alerts: { kind: string }[] }) => [ci.code, ci.alerts.map((a) => a.kind)]));
    expect(byCode).toEqual({ 'lic-erp': ['licence-overused'], 'srv-mail-01': ['warranty-ending'] });
  });

  it('mails each alert to the CI owner once, however often the daily check runs', async () => {
    const check = () => h.temporal.workflow.execute('assetAlertCheck', { taskQueue: h.taskQueue, workflowId: `asset-alerts-${randomUUID()}` });
    expect(await check()).toEqual({ alerts: 2, sent: 2 });
    expect(await check()).toEqual({ alerts: 2, sent: 0 });
    const [licence, server] = await Promise.all([ciByCode('lic-erp'), ciByCode('srv-mail-01')]);
    const mails = await eventually(async () => {
      const inbox = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => [licence.id, server.id].includes(m.headers['x-itsm-ci-id'] as string));
      if (inbox.length < 2) throw new Error('mail not caught yet');
      return inbox;
    });
    expect(mails.map((m) => `${m.headers['x-itsm-alert']} ${m.to[0].address}`).sort()).toEqual(['licence-overused li.wei@itsm.local', 'warranty-ending mei.chen@itsm.local']);
  });

  it('shows an incident what its CI takes down, and weighs a change by what its CIs take down', async () => {
    const erp = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'ERP' } });
    const incident = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Database cluster slow', impact: 'medium', urgency: 'medium', serviceId: erp.id, cis: ['db-cluster-01'], category: 'Performance' });
    expect(incident.status).toBe(201);
    expect(incident.body.category).toBe('performance');
    const staffView = await h.http.get(`/api/incidents/${incident.body.id}`).set(h.as('agent'));
    expect(staffView.body.cis.map((ci: { code: string }) => ci.code)).toEqual(['db-cluster-01']);
    expect(staffView.body.ciImpact.services.map((s: { code: string }) => s.code)).toEqual(['ERP']);
    // The ITIL impact given at intake stays what it was; the CMDB analysis has its own name.
    expect(staffView.body.impact).toBe(incident.body.impact);
    expect((await h.http.get(`/api/incidents/${incident.body.id}`).set(h.as("requester"))).body.ciImpact).toBeNull();
    const unknownCi = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Unknown CI', impact: 'low', urgency: 'low', serviceId: erp.id, cis: ['db-cluster-01', 'nope'] });
    expect(unknownCi.status).toBe(400);
    expect(unknownCi.body.errors[0].field).toBe('cis.1');

    // A database server takes down the ERP service (one more service, four CIs); the core switch takes down
    // the network, e-mail and ERP services: the breadth of each adds to the risk score.
    const service = await changeTestService(h);
    const scores: number[] = [];
    let lastId = '';
    for (const affectedCis of [[], ['srv-db-02'], ['sw-core-01']]) {
      const change = await raiseChange(h, service.id, { affectedCis });
      await waitForChangeState(h, change.id, 'approval');
      scores.push((await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } })).riskScore!);
      lastId = change.id;
    }
    expect(scores.map((score) => score - scores[0])).toEqual([0, 2, 3]);
    expect((await h.http.get(`/api/changes/${lastId}`).set(h.as('agent'))).body.affectedCis).toEqual(['sw-core-01']);
  });

  it('keeps the CMDB from requesters', async () => {
    expect((await h.http.get('/api/cis').set(h.as('requester'))).status).toBe(403);
    expect((await h.http.post('/api/cis').set(h.as('requester')).send(server())).status).toBe(403);
  });
});
