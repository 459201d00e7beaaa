import { generateToken } from '../../api/tokens';
import { setUserToken } from '../../prisma/seed';
import { apiCalls, NOBODY } from '../support/api-calls';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';

describe.each(databaseKinds())('administration of users and groups on %s', (kind) => {
  let h: Harness;
  let emailServiceId: string;
  let serviceDeskId: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    emailServiceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'EMAIL' } })).id;
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
  });
  afterAll(() => h?.close());

  const { call, fieldsOf, expectBadInput, expectForbidden } = apiCalls(() => h);
  async function createUser(body: object) {
    const response = await call('post', '/api/users', 'admin', body);
    expect(response.status).toBe(201);
    return response.body as { id: string; email: string };
  }

  describe('users', () => {
    it('creates, reads, filters and updates people (administrators)', async () => {
      const created = await call('post', '/api/users', 'admin', { email: ' Zhang.Min@Example.com ', name: '张敏 Zhang Min', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['agent', 'agent'] });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/api/users/${created.body.id}`);
      expect(created.body).toMatchObject({ email: 'zhang.min@example.com', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['agent'], active: true, deactivatedAt: null });

      const duplicate = await call('post', '/api/users', 'admin', { email: 'ZHANG.MIN@example.com', name: 'Someone else', roles: ['requester'] });
      expect(duplicate.status).toBe(409);
      expect(fieldsOf(duplicate)).toEqual(['email']);
      const defaults = await createUser({ email: 'plain@example.com', name: 'Plain Person', roles: ['requester'] });
      expect(defaults).toMatchObject({ locale: 'en', timeZone: 'UTC' });

      const one = await call('get', `/api/users/${created.body.id}`, 'manager');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: created.body.id, groups: [] });
      expect((await call('get', `/api/users/${NOBODY}`, 'manager')).status).toBe(404);

      const agents = await h.http.get('/api/users').query({ role: 'agent', active: 'true' }).set(h.as('manager'));
      expect(agents.status).toBe(200);
      expect(agents.body.items.map((u: { email: string }) => u.email)).toEqual(['mei.chen@itsm.local', 'sam.taylor@itsm.local', 'zhang.min@example.com']);

      const updated = await call('patch', `/api/users/${created.body.id}`, 'admin', { name: 'Zhang Min', timeZone: 'Europe/London', locale: 'en', roles: ['agent', 'cab'] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'Zhang Min', timeZone: 'Europe/London', locale: 'en', roles: ['agent', 'cab'] });
      const taken = await call('patch', `/api/users/${created.body.id}`, 'admin', { email: 'Admin@itsm.local' });
      expect(taken.status).toBe(409);
      expect(fieldsOf(taken)).toEqual(['email']);
      const renamed = await call('patch', `/api/users/${created.body.id}`, 'admin', { email: 'min.zhang@example.com' });
      expect(renamed.body.email).toBe('min.zhang@example.com');
    });

    it('answers 400 naming the field on every user route, and writes nothing', async () => {
      const before = await h.db.prisma.user.count();
      const valid = { email: 'valid@example.com', name: 'Valid', roles: ['agent'] };
      await expectBadInput('admin', [
        ['get', '/api/users?active=maybe', undefined, 'query', 'active'],
        ['get', '/api/users?role=boss', undefined, 'query', 'role'],
        ['get', '/api/users/42', undefined, 'params', 'id'],
        ['post', '/api/users', { ...valid, email: 'not-an-address' }, 'body', 'email'],
        ['post', '/api/users', { ...valid, name: '  ' }, 'body', 'name'],
        ['post', '/api/users', { ...valid, locale: 'fr' }, 'body', 'locale'],
        ['post', '/api/users', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'body', 'timeZone'],
        ['post', '/api/users', { ...valid, roles: [] }, 'body', 'roles'],
        ['post', '/api/users', { ...valid, roles: ['agent', 'boss'] }, 'body', 'roles.1'],
        ['post', '/api/users', { ...valid, nickname: 'V' }, 'body', 'nickname'],
        ['patch', `/api/users/${h.userIds.agent2}`, {}, 'body', '(root)'],
        ['patch', `/api/users/${h.userIds.agent2}`, { timeZone: 'GMT+25' }, 'body', 'timeZone'],
        ['patch', '/api/users/nope', { name: 'x' }, 'params', 'id'],
        ['post', `/api/users/${h.userIds.agent2}/deactivate`, { reason: 'left' }, 'body', 'reason'],
        ['post', '/api/users/nope/reactivate', undefined, 'params', 'id'],
      ]);
      expect(await h.db.prisma.user.count()).toBe(before);
      expect((await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.agent2 } })).deactivatedAt).toBeNull();
    });

    it('answers 403 to the wrong roles on every user route', async () => {
      const id = h.userIds.agent2;
      await expectForbidden([
        ['get', '/api/users', 'requester', undefined],
        ['get', '/api/users', 'cab1', undefined],
        ['get', `/api/users/${id}`, 'requester', undefined],
        ['post', '/api/users', 'manager', { email: 'x@example.com', name: 'X', roles: ['admin'] }],
        ['patch', `/api/users/${id}`, 'manager', { roles: ['admin'] }],
        ['post', `/api/users/${id}/deactivate`, 'manager', {}],
        ['post', `/api/users/${id}/reactivate`, 'agent', {}],
      ]);
      expect(await h.db.prisma.user.findUnique({ where: { email: 'x@example.com' } })).toBeNull();
      expect((await h.db.prisma.user.findUniqueOrThrow({ where: { id } })).roles).toEqual(['agent']);
    });

    it('deactivates a person: their token stops working and their open work is listed for a manager', async () => {
      const leaver = await createUser({ email: 'leaver@example.com', name: 'Lee Leaver', roles: ['agent'] });
      const token = generateToken();
      await setUserToken(h.db.prisma, leaver.id, 'test', token);
      const asLeaver = { Authorization: `Bearer ${token}` };
      expect((await h.http.get('/api/services').set(asLeaver)).status).toBe(200);

      expect((await call('post', `/api/groups/${serviceDeskId}/members`, 'manager', { userId: leaver.id })).status).toBe(200);
      const led = await call('post', '/api/groups', 'manager', { name: 'Leaver Team', leadId: leaver.id });
      expect(led.status).toBe(201);
      const incident = await call('post', '/api/incidents', 'requester', { title: 'Printer jams on every page', impact: 'low', urgency: 'low', serviceId: emailServiceId });
      expect(incident.status).toBe(201);
      const assigned = await call('post', `/api/incidents/${incident.body.id}/assign`, 'agent', { groupId: serviceDeskId, assigneeId: leaver.id });
      expect(assigned.status).toBe(200);
      await eventually(async () => expect((await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.body.id } })).assigneeId).toBe(leaver.id));

      const deactivated = await call('post', `/api/users/${leaver.id}/deactivate`, 'admin');
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.user).toMatchObject({ id: leaver.id, active: false, deactivatedAt: expect.any(String) });
      expect(deactivated.body.openWork.incidents).toEqual([expect.objectContaining({ id: incident.body.id, reference: incident.body.reference, title: 'Printer jams on every page' })]);
      expect(deactivated.body.openWork.groupsLed).toEqual([{ id: led.body.id, name: 'Leaver Team' }]);
      expect(deactivated.body.openWork).toMatchObject({ complaints: [], problems: [], correctiveActions: [], continuityTests: [], supplierReviews: [], servicesOwned: [] });
      // Nothing is handed over automatically: the incident keeps its assignee until a manager reassigns it.
      expect((await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.body.id } })).assigneeId).toBe(leaver.id);

      const refused = await h.http.get('/api/services').set(asLeaver);
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const again = await call('post', `/api/users/${leaver.id}/deactivate`, 'admin');
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ currentState: 'deactivated', deactivatedAt: deactivated.body.user.deactivatedAt });
      const member = await call('post', `/api/groups/${led.body.id}/members`, 'manager', { userId: leaver.id });
      expect(member.status).toBe(400);
      expect(fieldsOf(member)).toEqual(['userId']);
      const lead = await call('post', '/api/groups', 'manager', { name: 'Another Team', leadId: leaver.id });
      expect(lead.status).toBe(400);
      expect(fieldsOf(lead)).toEqual(['leadId']);
      const inactive = await h.http.get('/api/users').query({ active: 'false' }).set(h.as('admin'));
      expect(inactive.body.items.map((u: { id: string }) => u.id)).toEqual([leaver.id]);

      const reactivated = await call('post', `/api/users/${leaver.id}/reactivate`, 'admin');
      expect(reactivated.status).toBe(200);
      expect(reactivated.body).toMatchObject({ active: true, deactivatedAt: null });
      expect((await call('post', `/api/users/${leaver.id}/reactivate`, 'admin')).body).toMatchObject({ status: 409, currentState: 'active' });
      expect((await h.http.get('/api/services').set(asLeaver)).status).toBe(200);
    });

    it('never leaves the organisation without an active administrator', async () => {
      const self = await call('post', `/api/users/${h.userIds.admin}/deactivate`, 'admin');
      expect(self.status).toBe(409);
      expect(self.body.currentState).toBe('last-active-administrator');
      expect((await call('patch', `/api/users/${h.userIds.admin}`, 'admin', { roles: ['manager'] })).status).toBe(409);
      expect((await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.admin } })).roles).toEqual(['admin']);

      // With a second administrator, either may step down.
      const second = await createUser({ email: 'second.admin@example.com', name: 'Second Admin', roles: ['admin'] });
      expect((await call('patch', `/api/users/${second.id}`, 'admin', { roles: ['agent'] })).status).toBe(200);
      expect((await call('patch', `/api/users/${second.id}`, 'admin', { roles: ['admin'] })).status).toBe(200);
      expect((await call('post', `/api/users/${second.id}/deactivate`, 'admin')).status).toBe(200);
    });
  });

  describe('groups', () => {
    it('creates, renames, sets the lead and manages members (managers and administrators)', async () => {
      const created = await call('post', '/api/groups', 'manager', { name: 'Database Team', email: 'DBA@example.com', locale: 'zh-CN', leadId: h.userIds.agent2 });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/api/groups/${created.body.id}`);
      expect(created.body).toMatchObject({ name: 'Database Team', email: 'dba@example.com', locale: 'zh-CN', leadId: h.userIds.agent2, active: true, members: [] });
      const id = created.body.id as string;

      const duplicate = await call('post', '/api/groups', 'admin', { name: 'database team' });
      expect(duplicate.status).toBe(409);
      expect(fieldsOf(duplicate)).toEqual(['name']);

      for (let i = 0; i < 2; i += 1) {
        const added = await call('post', `/api/groups/${id}/members`, 'manager', { userId: h.userIds.agent });
        expect(added.status).toBe(200);
        expect(added.body.members).toEqual([expect.objectContaining({ id: h.userIds.agent, email: 'mei.chen@itsm.local', active: true })]);
      }
      expect((await call('post', `/api/groups/${id}/members`, 'admin', { userId: h.userIds.agent2 })).body.members).toHaveLength(2);
      const removed = await call('post', `/api/groups/${id}/members/${h.userIds.agent}/remove`, 'manager');
      expect(removed.status).toBe(200);
      expect(removed.body.members.map((m: { id: string }) => m.id)).toEqual([h.userIds.agent2]);
      expect((await call('post', `/api/groups/${id}/members/${h.userIds.agent}/remove`, 'manager')).status).toBe(200);

      const renamed = await call('patch', `/api/groups/${id}`, 'manager', { name: 'DBA Team', email: null, leadId: null, locale: 'en' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'DBA Team', email: null, leadId: null, locale: 'en' });
      const clash = await call('patch', `/api/groups/${id}`, 'manager', { name: 'SERVICE DESK' });
      expect(clash.status).toBe(409);
      expect(fieldsOf(clash)).toEqual(['name']);

      const one = await call('get', `/api/groups/${id}`, 'agent');
      expect(one.body).toMatchObject({ id, name: 'DBA Team', members: [expect.objectContaining({ id: h.userIds.agent2 })] });
      expect((await call('get', `/api/groups/${NOBODY}`, 'agent')).status).toBe(404);
      const listed = await call('get', '/api/groups?active=true', 'agent');
      expect(listed.body.items.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['DBA Team', 'Service Desk', 'Network Operations']));
    });

    it('refuses to deactivate a group work is routed to, and lists the open incidents of one it deactivates', async () => {
      const group = await call('post', '/api/groups', 'manager', { name: 'Mail Team' });
      const id = group.body.id as string;
      const service = await call('post', '/api/services', 'manager', { code: 'MAILARCH', name: 'Mail archive', ownerId: h.userIds.manager, defaultGroupId: id });
      expect(service.status).toBe(201);

      const refused = await call('post', `/api/groups/${id}/deactivate`, 'manager');
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ currentState: 'routed-to', services: ['MAILARCH'] });
      expect(refused.body.detail).toContain('default group of service MAILARCH');
      expect((await h.db.prisma.group.findUniqueOrThrow({ where: { id } })).deactivatedAt).toBeNull();

      const incident = await call('post', '/api/incidents', 'requester', { title: 'Archive search returns nothing', impact: 'low', urgency: 'medium', serviceId: emailServiceId });
      expect((await call('post', `/api/incidents/${incident.body.id}/assign`, 'agent', { groupId: id })).status).toBe(200);
      await eventually(async () => expect((await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.body.id } })).groupId).toBe(id));

      expect((await call('post', `/api/services/${service.body.id}/retire`, 'manager')).status).toBe(200);
      const deactivated = await call('post', `/api/groups/${id}/deactivate`, 'admin');
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.group).toMatchObject({ id, active: false, deactivatedAt: expect.any(String) });
      expect(deactivated.body.openIncidents).toEqual([expect.objectContaining({ id: incident.body.id, reference: incident.body.reference })]);

      expect((await call('post', `/api/groups/${id}/deactivate`, 'admin')).body).toMatchObject({ status: 409, currentState: 'deactivated' });
      const member = await call('post', `/api/groups/${id}/members`, 'manager', { userId: h.userIds.agent });
      expect(member.status).toBe(409);
      expect(member.body.currentState).toBe('deactivated');
      const defaulted = await call('patch', `/api/services/${emailServiceId}`, 'manager', { defaultGroupId: id });
      expect(defaulted.status).toBe(400);
      expect(fieldsOf(defaulted)).toEqual(['defaultGroupId']);
      expect((await call('get', '/api/groups?active=false', 'agent')).body.items.map((g: { id: string }) => g.id)).toEqual([id]);

      expect((await call('post', `/api/groups/${id}/reactivate`, 'manager')).body).toMatchObject({ id, active: true });
      expect((await call('post', `/api/groups/${id}/reactivate`, 'manager')).body).toMatchObject({ status: 409, currentState: 'active' });
    });

    it('answers 400 naming the field on every group route, and writes nothing', async () => {
      const before = await h.db.prisma.group.count();
      await expectBadInput('manager', [
        ['get', '/api/groups?active=yes', undefined, 'query', 'active'],
        ['get', '/api/groups/not-a-uuid', undefined, 'params', 'id'],
        ['post', '/api/groups', { name: 'X' }, 'body', 'name'],
        ['post', '/api/groups', { name: 'Semi;colon' }, 'body', 'name'],
        ['post', '/api/groups', { name: 'Mailers', email: 'nope' }, 'body', 'email'],
        ['post', '/api/groups', { name: 'Mailers', locale: 'de' }, 'body', 'locale'],
        ['post', '/api/groups', { name: 'Mailers', leadId: NOBODY }, 'body', 'leadId'],
        ['post', '/api/groups', { name: 'Mailers', colour: 'red' }, 'body', 'colour'],
        ['patch', `/api/groups/${serviceDeskId}`, {}, 'body', '(root)'],
        ['patch', `/api/groups/${serviceDeskId}`, { leadId: 'someone' }, 'body', 'leadId'],
        ['post', `/api/groups/${serviceDeskId}/members`, { userId: NOBODY }, 'body', 'userId'],
        ['post', `/api/groups/${serviceDeskId}/members`, {}, 'body', 'userId'],
        ['post', `/api/groups/${serviceDeskId}/members/not-a-user/remove`, undefined, 'params', 'userId'],
        ['post', `/api/groups/${serviceDeskId}/deactivate`, { force: true }, 'body', 'force'],
        ['post', '/api/groups/x/reactivate', undefined, 'params', 'id'],
      ]);
      expect(await h.db.prisma.group.count()).toBe(before);
      expect(await h.db.prisma.group.findUniqueOrThrow({ where: { id: serviceDeskId } })).toMatchObject({ name: 'Service Desk', deactivatedAt: null });
    });

    it('answers 403 to the wrong roles on every group route', async () => {
      const members = await h.db.prisma.groupMember.count({ where: { groupId: serviceDeskId } });
      await expectForbidden([
        ['get', '/api/groups', 'requester', undefined],
        ['get', `/api/groups/${serviceDeskId}`, 'cab1', undefined],
        ['post', '/api/groups', 'agent', { name: 'Agents Own Group' }],
        ['patch', `/api/groups/${serviceDeskId}`, 'agent', { name: 'Renamed' }],
        ['post', `/api/groups/${serviceDeskId}/members`, 'agent', { userId: h.userIds.cab1 }],
        ['post', `/api/groups/${serviceDeskId}/members/${h.userIds.agent}/remove`, 'auditor', undefined],
        ['post', `/api/groups/${serviceDeskId}/deactivate`, 'agent', undefined],
        ['post', `/api/groups/${serviceDeskId}/reactivate`, 'requester', undefined],
      ]);
      expect(await h.db.prisma.groupMember.count({ where: { groupId: serviceDeskId } })).toBe(members);
      expect(await h.db.prisma.group.findUnique({ where: { name: 'Agents Own Group' } })).toBeNull();
    });
  });
});
