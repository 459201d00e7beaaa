import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe.each(databaseKinds())('intake routing, logging on behalf and versioned SLA policies on %s', (kind) => {
  let h: Harness;
  let ids: { erp: string; email: string; net: string; serviceDesk: string; appSupport: string; rota: string };

  beforeAll(async () => {
    h = await startHarness(kind);
    const service = (code: string) => h.db.prisma.service.findUniqueOrThrow({ where: { code } }).then((s) => s.id);
    const group = (name: string) => h.db.prisma.group.findUniqueOrThrow({ where: { name } }).then((g) => g.id);
    const rota = await h.db.prisma.group.create({ data: { name: 'Rota', members: { create: [{ userId: h.userIds.agent }, { userId: h.userIds.agent2 }] } } });
    ids = { erp: await service('ERP'), email: await service('EMAIL'), net: await service('NET'), serviceDesk: await group('Service Desk'), appSupport: await group('Application Support'), rota: rota.id };
  });
  afterAll(() => h?.close());

  const raise = (body: Record<string, unknown>, role: Parameters<Harness['as']>[0] = 'requester') =>
    h.http.post('/api/incidents').set(h.as(role)).send({ title: `Routing ${Date.now()}`, impact: 'low', urgency: 'medium', ...body });

  it('routes by rule in position order, by CI type, round robin and fewest open, else to the service default group', async () => {
    // No rule yet: the service's default group, nobody assigned.
    const plain = await raise({ serviceId: ids.email });
    expect(plain.body).toMatchObject({ groupId: ids.serviceDesk, assigneeId: null, state: 'new' });

    const create = (body: Record<string, unknown>) => h.http.post('/api/assignment-rules').set(h.as('manager')).send(body);
    const vpn = await create({ name: 'VPN on NET to the rota', serviceId: ids.net, category: 'vpn', groupId: ids.rota, memberStrategy: 'round_robin', position: 20 });
    expect(vpn.status).toBe(201);
    const database = await create({ name: 'Databases to application support', ciType: 'database', groupId: ids.appSupport, position: 10 });
    expect(database.status).toBe(201);
    const disabled = await create({ name: 'Switched off', category: 'vpn', groupId: ids.serviceDesk, position: 1, active: false });
    expect(disabled.status).toBe(201);

    const first = await raise({ serviceId: ids.net, category: 'vpn' });
    const second = await raise({ serviceId: ids.net, category: 'vpn' });
    expect([first.body.groupId, second.body.groupId]).toEqual([ids.rota, ids.rota]);
    expect(first.body.state).toBe('assigned');
    expect(new Set([first.body.assigneeId, second.body.assigneeId])).toEqual(new Set([h.userIds.agent, h.userIds.agent2]));

    const onDatabase = await raise({ serviceId: ids.erp, cis: ['db-cluster-01'] });
    expect(onDatabase.body).toMatchObject({ groupId: ids.appSupport, assigneeId: null });
    const elsewhere = await raise({ serviceId: ids.net, category: 'wifi' });
    expect(elsewhere.body.groupId).toBe((await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } })).id);

    // Fewest open: whoever of the rota holds fewer open incidents gets the next one.
    await h.http.patch(`/api/assignment-rules/${vpn.body.id}`).set(h.as('admin')).send({ memberStrategy: 'fewest_open' }).expect(200);
    const busier = first.body.assigneeId;
    await raise({ serviceId: ids.email }).then((r) => h.http.post(`/api/incidents/${r.body.id}/assign`).set(h.as('manager')).send({ assigneeId: busier }).expect(200));
    await eventually(async () => {
      if ((await h.db.prisma.incident.count({ where: { assigneeId: busier } })) < 2) throw new Error('assignment not recorded yet');
    });
    const third = await raise({ serviceId: ids.net, category: 'vpn' });
    expect(third.body.assigneeId).toBe(busier === h.userIds.agent ? h.userIds.agent2 : h.userIds.agent);

    // The routed member is told, and the workflow knows the assignment (search attribute and status).
    await eventually(async () => {
      const detail = (await h.http.get(`/api/incidents/${third.body.id}`).set(h.as('agent'))).body;
      if (!detail.clocks) throw new Error('not initialised yet');
      expect(detail.clocks).toMatchObject({ state: 'assigned', assigneeId: third.body.assigneeId, groupId: ids.rota });
    });
    await eventually(async () => {
      const assigned = await h.db.prisma.notification.findMany({ where: { incidentId: third.body.id, kind: 'assigned', status: 'sent' } });
      expect(assigned.map((n) => n.recipient)).toHaveLength(1);
    });

    const list = await h.http.get('/api/assignment-rules').set(h.as('agent'));
    expect(list.body.items.map((rule: { name: string }) => rule.name)).toEqual(['Switched off', 'Databases to application support', 'VPN on NET to the rota']);
    await h.http.delete(`/api/assignment-rules/${disabled.body.id}`).set(h.as('manager')).expect(204);
    expect((await h.http.delete(`/api/assignment-rules/${disabled.body.id}`).set(h.as('manager'))).status).toBe(404);
  });

  it('refuses bad rules naming the field, and lets only managers and admins change them', async () => {
    const before = await h.db.prisma.assignmentRule.count();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', groupId: ids.rota }, 'name'],
      [{ name: 'No group' }, 'groupId'],
      [{ name: 'Bad strategy', groupId: ids.rota, memberStrategy: 'random' }, 'memberStrategy'],
      [{ name: 'Unknown group', groupId: NO_SUCH_ID }, 'groupId'],
      [{ name: 'Unknown service', groupId: ids.rota, serviceId: NO_SUCH_ID }, 'serviceId'],
      [{ name: 'Extra field', groupId: ids.rota, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const response = await h.http.post('/api/assignment-rules').set(h.as('admin')).send(body);
      expect([field, response.status, response.headers['content-type']?.split(';')[0], response.body.errors?.[0]?.field]).toEqual([field, 400, 'application/problem+json', field]);
    }
    expect((await h.http.post('/api/assignment-rules').set(h.as('agent')).send({ name: 'Agent rule', groupId: ids.rota })).status).toBe(403);
    expect((await h.http.get('/api/assignment-rules').set(h.as('requester'))).status).toBe(403);
    const rule = (await h.db.prisma.assignmentRule.findFirstOrThrow()).id;
    expect((await h.http.patch(`/api/assignment-rules/${rule}`).set(h.as('agent')).send({ active: false })).status).toBe(403);
    expect((await h.http.patch(`/api/assignment-rules/${rule}`).set(h.as('manager')).send({})).body.errors[0].field).toBe('name');
    expect((await h.http.patch(`/api/assignment-rules/${NO_SUCH_ID}`).set(h.as('manager')).send({ active: false })).status).toBe(404);
    expect((await h.http.delete(`/api/assignment-rules/${rule}`).set(h.as('cab1'))).status).toBe(403);
    expect(await h.db.prisma.assignmentRule.count()).toBe(before);
  });

  it('lets staff log an incident for a requester with its channel, and nobody else', async () => {
    const logged = await raise({ serviceId: ids.email, requesterId: h.userIds.requester, channel: 'phone' }, 'agent');
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ requesterId: h.userIds.requester, loggedById: h.userIds.agent, channel: 'phone' });
    const own = await raise({ serviceId: ids.email, channel: 'web' });
    expect(own.body).toMatchObject({ requesterId: h.userIds.requester, loggedById: null, channel: 'web' });
    // The requester sees the incident logged for them.
    expect((await h.http.get(`/api/incidents/${logged.body.id}`).set(h.as('requester'))).status).toBe(200);

    const before = await h.db.prisma.incident.count();
    expect((await raise({ serviceId: ids.email, requesterId: h.userIds.cab1 })).status).toBe(403);
    for (const [body, field] of [
      [{ serviceId: ids.email, channel: 'fax' }, 'channel'],
      [{ serviceId: ids.email, requesterId: NO_SUCH_ID }, 'requesterId'],
      [{ serviceId: ids.email, requesterId: 'riley' }, 'requesterId'],
    ] as const) {
      const response = await raise(body, 'agent');
      expect([field, response.status, response.body.errors?.[0]?.field]).toEqual([field, 400, field]);
    }
    expect(await h.db.prisma.incident.count()).toBe(before);
  });

  it('refuses intake on a retired service and on a priority without a policy, writing nothing', async () => {
    const retired = await h.db.prisma.service.create({ data: { code: `OLD${kind.length}`, name: 'Retired service', retiredAt: new Date() } });
    const bare = await h.db.prisma.service.create({ data: { code: `BARE${kind.length}`, name: 'No policies yet' } });
    const before = await h.db.prisma.incident.count();
    const onRetired = await raise({ serviceId: retired.id });
    expect(onRetired.status).toBe(409);
    expect(onRetired.body.detail).toMatch(/retired/);
    const noPolicy = await raise({ serviceId: bare.id, impact: 'high', urgency: 'high' });
    expect(noPolicy.status).toBe(409);
    expect(noPolicy.body.detail).toBe(`service ${bare.code} has no SLA policy for P1; a manager or administrator adds one with POST /api/sla-policies`);
    expect(await h.db.prisma.incident.count()).toBe(before);
  });

  it('versions SLA policies: a running incident keeps its version, the next one takes the new, and the history says who and why', async () => {
    const service = await h.db.prisma.service.create({ data: { code: `VER${kind.length}`, name: 'Versioned policies', ownerId: h.userIds.manager, defaultGroupId: ids.serviceDesk } });
    const calendarId = (await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } })).id;
    const policyBody = { serviceId: service.id, priority: 'P3', calendarId, responseTargetSeconds: 3_600, resolutionTargetSeconds: 36_000, reason: 'first agreement with finance' };
    expect((await h.http.post('/api/sla-policies').set(h.as('agent')).send(policyBody)).status).toBe(403);
    const created = await h.http.post('/api/sla-policies').set(h.as('admin')).send(policyBody);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, warningThresholds: [0.5, 0.75, 0.9], unassignedAlertSeconds: null });
    expect((await h.http.post('/api/sla-policies').set(h.as('admin')).send(policyBody)).status).toBe(409);

    const opened = async () => {
      const incident = await raise({ serviceId: service.id, impact: 'medium', urgency: 'medium' });
      expect(incident.status).toBe(201);
      return eventually(async () => {
        const detail = (await h.http.get(`/api/incidents/${incident.body.id}`).set(h.as('agent'))).body;
        if (!detail.slaPolicy || !detail.clocks) throw new Error('not opened yet');
        return detail;
      });
    };
    const running = await opened();
    expect(running.slaPolicy).toEqual({ id: created.body.id, version: 1 });
    expect(running.clocks.resolution.targetSeconds).toBe(36_000);

    expect((await h.http.put(`/api/sla-policies/${created.body.id}`).set(h.as('manager')).send({ resolutionTargetSeconds: 18_000 })).body.errors[0].field).toBe('reason');
    const changed = await h.http.put(`/api/sla-policies/${created.body.id}`).set(h.as('manager')).send({ resolutionTargetSeconds: 18_000, unassignedAlertSeconds: 600, reason: 'finance asked for five hours' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, resolutionTargetSeconds: 18_000, unassignedAlertSeconds: 600 });

    const next = await opened();
    expect(next.slaPolicy).toEqual({ id: created.body.id, version: 2 });
    expect(next.clocks.resolution.targetSeconds).toBe(18_000);
    const stillRunning = (await h.http.get(`/api/incidents/${running.id}`).set(h.as('agent'))).body;
    expect(stillRunning.slaPolicy.version).toBe(1);
    expect(stillRunning.clocks.resolution.targetSeconds).toBe(36_000);

    const versions = await h.http.get(`/api/sla-policies/${created.body.id}/versions`).set(h.as('agent'));
    expect(versions.body.items.map((v: { version: number; reason: string; changedBy: { email: string }; settings: { resolutionTargetSeconds: number } }) => [v.version, v.reason, v.changedBy.email, v.settings.resolutionTargetSeconds])).toEqual([
      [2, 'finance asked for five hours', 'li.wei@itsm.local', 18_000],
      [1, 'first agreement with finance', 'admin@itsm.local', 36_000],
    ]);
    expect((await h.http.get(`/api/sla-policies/${created.body.id}/versions`).set(h.as('requester'))).status).toBe(403);
    expect((await h.http.get(`/api/sla-policies/${NO_SUCH_ID}/versions`).set(h.as('agent'))).status).toBe(404);
    for (const [body, field] of [
      [{ ...policyBody, priority: 'P4', serviceId: NO_SUCH_ID }, 'serviceId'],
      [{ ...policyBody, priority: 'P4', responseTargetSeconds: 99_999 }, 'responseTargetSeconds'],
      [{ ...policyBody, priority: 'P9' }, 'priority'],
    ] as const) {
      const response = await h.http.post('/api/sla-policies').set(h.as('admin')).send(body);
      expect([field, response.status, response.body.errors?.[0]?.field]).toEqual([field, 400, field]);
    }
    expect(await h.db.prisma.slaPolicy.count({ where: { serviceId: service.id } })).toBe(1);
  });

  it('checks what a policy names, answers its reads by role, and keeps a group a policy escalates to from being deactivated', async () => {
    const service = await h.db.prisma.service.create({ data: { code: `REF${kind.length}`, name: 'References', ownerId: h.userIds.manager } });
    const calendarId = (await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } })).id;
    const escalations = await h.db.prisma.group.create({ data: { name: `Escalations ${kind}` } });
    const gone = await h.db.prisma.group.create({ data: { name: `Gone ${kind}`, deactivatedAt: new Date() } });
    const body = { serviceId: service.id, priority: 'P2', calendarId, responseTargetSeconds: 600, resolutionTargetSeconds: 6_000 };
    for (const [bad, field] of [
      [{ calendarId: NO_SUCH_ID }, 'calendarId'],
      [{ escalationChain: [{ level: 1, atFraction: 1, notify: [{ groupId: gone.id }] }] }, 'escalationChain.0.notify.0.groupId'],
      [{ escalationChain: [{ level: 1, atFraction: 1, notify: ['group'], reassignToGroupId: gone.id }] }, 'escalationChain.0.reassignToGroupId'],
    ] as const) {
      const response = await h.http.post('/api/sla-policies').set(h.as('manager')).send({ ...body, ...bad });
      expect([field, response.status, response.body.errors?.[0]?.field]).toEqual([field, 400, field]);
    }
    const created = await h.http.post('/api/sla-policies').set(h.as('manager')).send({ ...body, escalationChain: [{ level: 1, atFraction: 1, notify: [{ groupId: escalations.id }] }] });
    expect(created.status).toBe(201);

    expect((await h.http.get(`/api/sla-policies/${created.body.id}`).set(h.as('agent'))).body).toMatchObject({ id: created.body.id, version: 1, priority: 'P2' });
    expect((await h.http.get(`/api/sla-policies/${created.body.id}`).set(h.as('requester'))).status).toBe(403);
    expect((await h.http.get(`/api/sla-policies/${NO_SUCH_ID}`).set(h.as('agent'))).status).toBe(404);
    expect((await h.http.get('/api/sla-policies/p2').set(h.as('agent'))).body.errors[0].field).toBe('id');
    expect((await h.http.get('/api/sla-policies/p2/versions').set(h.as('agent'))).body.errors[0].field).toBe('id');
    expect((await h.http.delete('/api/assignment-rules/first').set(h.as('manager'))).body.errors[0].field).toBe('id');
    expect((await h.http.get('/api/assignment-rules/first').set(h.as('manager'))).body.errors[0].field).toBe('id');

    const refused = await h.http.post(`/api/groups/${escalations.id}/deactivate`).set(h.as('manager')).send({});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ currentState: 'routed-to', slaPolicies: [created.body.id] });
    expect((await h.db.prisma.group.findUniqueOrThrow({ where: { id: escalations.id } })).deactivatedAt).toBeNull();
  });
});
