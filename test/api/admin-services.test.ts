import { apiCalls, NOBODY } from '../support/api-calls';
import { databaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const PAYROLL_MATRIX = {
  high: { high: 'P1', medium: 'P1', low: 'P2' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

describe.each(databaseKinds())('administration of the service catalogue on %s', (kind) => {
  let h: Harness;
  let serviceDeskId: string;
  let networkOpsId: string;
  let emailServiceId: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
    networkOpsId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } })).id;
    emailServiceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'EMAIL' } })).id;
  });
  afterAll(() => h?.close());

  const { call, fieldsOf, expectBadInput, expectForbidden } = apiCalls(() => h);
  const payroll = () => ({ code: 'PAYROLL', name: 'Payroll', description: 'Monthly salary runs', ownerId: h.userIds.manager, defaultGroupId: serviceDeskId, priorityMatrix: PAYROLL_MATRIX, slaTargetPercent: 99.5 });

  it('shows the catalogue with owners, default groups, matrices and targets', async () => {
    const listed = await call('get', '/api/services', 'requester');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: { code: string }) => s.code)).toEqual(['DESK', 'EMAIL', 'ERP', 'NET']);
    expect(listed.body.items[1]).toMatchObject({ code: 'EMAIL', priorityMatrix: null, slaTargetPercent: 95, retired: false, retiredAt: null, ownerId: h.userIds.manager });
  });

  it('adds a service to the catalogue, refuses a second with its code, and updates it (managers and administrators)', async () => {
    const created = await call('post', '/api/services', 'manager', payroll());
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/services/${created.body.id}`);
    expect(created.body).toMatchObject({ code: 'PAYROLL', defaultGroupId: serviceDeskId, priorityMatrix: PAYROLL_MATRIX, slaTargetPercent: 99.5, retired: false });
    const id = created.body.id as string;

    const duplicate = await call('post', '/api/services', 'admin', { ...payroll(), name: 'Payroll again' });
    expect(duplicate.status).toBe(409);
    expect(fieldsOf(duplicate)).toEqual(['code']);
    expect((await call('get', `/api/services/${id}`, 'requester')).body).toMatchObject({ id, code: 'PAYROLL', description: 'Monthly salary runs' });
    expect((await call('get', `/api/services/${NOBODY}`, 'requester')).status).toBe(404);

    const updated = await call('patch', `/api/services/${id}`, 'admin', { name: 'Payroll and expenses', description: 'Salaries and expense claims', ownerId: h.userIds.agent2, defaultGroupId: networkOpsId, slaTargetPercent: 90 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Payroll and expenses', description: 'Salaries and expense claims', ownerId: h.userIds.agent2, defaultGroupId: networkOpsId, slaTargetPercent: 90, priorityMatrix: PAYROLL_MATRIX });
    const reset = await call('patch', `/api/services/${id}`, 'manager', { priorityMatrix: null });
    expect(reset.body.priorityMatrix).toBeNull();
    expect((await h.db.prisma.service.findUniqueOrThrow({ where: { id } })).priorityMatrix).toBeNull();
    expect((await call('patch', `/api/services/${id}`, 'manager', { priorityMatrix: PAYROLL_MATRIX })).body.priorityMatrix).toEqual(PAYROLL_MATRIX);
  });

  it('validates the priority matrix fully, naming the cell', async () => {
    const cases: [object, string][] = [
      [{ ...PAYROLL_MATRIX, low: { high: 'P3', medium: 'P4' } }, 'priorityMatrix.low.low'],
      [{ ...PAYROLL_MATRIX, high: { ...PAYROLL_MATRIX.high, high: 'P0' } }, 'priorityMatrix.high.high'],
      [{ ...PAYROLL_MATRIX, critical: PAYROLL_MATRIX.high }, 'priorityMatrix.critical'],
      // High impact ranked below low impact at the same urgency.
      [{ ...PAYROLL_MATRIX, high: { ...PAYROLL_MATRIX.high, low: 'P4' }, low: { ...PAYROLL_MATRIX.low, low: 'P3' } }, 'priorityMatrix.low.medium'],
      [{ ...PAYROLL_MATRIX, medium: { high: 'P4', medium: 'P3', low: 'P4' } }, 'priorityMatrix.medium.high'],
    ];
    for (const [priorityMatrix, field] of cases) {
      const response = await call('patch', `/api/services/${emailServiceId}`, 'manager', { priorityMatrix });
      expect([field, response.status]).toEqual([field, 400]);
      expect(fieldsOf(response)).toContain(field);
    }
    expect((await h.db.prisma.service.findUniqueOrThrow({ where: { id: emailServiceId } })).priorityMatrix).toBeNull();
  });

  it('retires a service: listed apart, and a second retirement is a 409 with the state', async () => {
    const created = await call('post', '/api/services', 'admin', { ...payroll(), code: 'FAX', name: 'Fax gateway', priorityMatrix: undefined });
    expect(created.body).toMatchObject({ priorityMatrix: null, slaTargetPercent: 99.5 });
    const retired = await call('post', `/api/services/${created.body.id}/retire`, 'manager');
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ code: 'FAX', retired: true, retiredAt: expect.any(String) });
    const again = await call('post', `/api/services/${created.body.id}/retire`, 'manager');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ currentState: 'retired', retiredAt: retired.body.retiredAt });

    expect((await call('get', '/api/services?retired=true', 'requester')).body.items.map((s: { code: string }) => s.code)).toEqual(['FAX']);
    expect((await call('get', '/api/services?retired=false', 'requester')).body.items.map((s: { code: string }) => s.code)).not.toContain('FAX');
    // Intake refuses it (the lead's intake rule); its history stays readable.
    const intake = await call('post', '/api/incidents', 'requester', { title: 'Fax will not send', impact: 'low', urgency: 'low', serviceId: created.body.id });
    expect(intake.status).toBe(409);
    expect((await call('get', `/api/services/${created.body.id}`, 'requester')).status).toBe(200);
  });

  it('answers 400 naming the field on every service route, and writes nothing', async () => {
    const before = await h.db.prisma.service.count();
    const leaver = await call('post', '/api/users', 'admin', { email: 'former.owner@example.com', name: 'Former Owner', roles: ['manager'] });
    expect((await call('post', `/api/users/${leaver.body.id}/deactivate`, 'admin')).status).toBe(200);
    await expectBadInput('manager', [
      ['get', '/api/services?retired=1', undefined, 'query', 'retired'],
      ['get', '/api/services/EMAIL', undefined, 'params', 'id'],
      ['post', '/api/services', { ...payroll(), code: 'payroll' }, 'body', 'code'],
      ['post', '/api/services', { ...payroll(), code: 'A-VERY-LONG-SERVICE-CODE' }, 'body', 'code'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', name: '' }, 'body', 'name'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', ownerId: leaver.body.id }, 'body', 'ownerId'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', ownerId: undefined }, 'body', 'ownerId'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', defaultGroupId: NOBODY }, 'body', 'defaultGroupId'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', slaTargetPercent: 101 }, 'body', 'slaTargetPercent'],
      ['post', '/api/services', { ...payroll(), code: 'NEW1', slaTargetPercent: 'ninety' }, 'body', 'slaTargetPercent'],
      ['patch', `/api/services/${emailServiceId}`, {}, 'body', '(root)'],
      ['patch', `/api/services/${emailServiceId}`, { code: 'MAIL' }, 'body', 'code'],
      ['patch', `/api/services/${emailServiceId}`, { slaTargetPercent: -1 }, 'body', 'slaTargetPercent'],
      ['patch', `/api/services/${emailServiceId}`, { ownerId: leaver.body.id }, 'body', 'ownerId'],
      ['post', `/api/services/${emailServiceId}/retire`, { when: 'now' }, 'body', 'when'],
      ['post', '/api/services/EMAIL/retire', undefined, 'params', 'id'],
    ]);
    expect(await h.db.prisma.service.count()).toBe(before);
    expect(await h.db.prisma.service.findUniqueOrThrow({ where: { id: emailServiceId } })).toMatchObject({ code: 'EMAIL', ownerId: h.userIds.manager, slaTargetPercent: 95, retiredAt: null });
  });

  it('answers 403 to the wrong roles on every service route that has one', async () => {
    // Reading the catalogue is open to every role (requesters pick a service when they raise an incident).
    await expectForbidden([
      ['post', '/api/services', 'agent', { ...payroll(), code: 'AGENTS' }],
      ['patch', `/api/services/${emailServiceId}`, 'requester', { slaTargetPercent: 10 }],
      ['post', `/api/services/${emailServiceId}/retire`, 'cab1', undefined],
    ]);
    expect(await h.db.prisma.service.findUnique({ where: { code: 'AGENTS' } })).toBeNull();
    expect(await h.db.prisma.service.findUniqueOrThrow({ where: { id: emailServiceId } })).toMatchObject({ slaTargetPercent: 95, retiredAt: null });
  });
});
