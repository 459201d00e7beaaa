import { eventually, startHarness, type Harness } from '../support/harness';

const EU_OFFICE = {
  name: 'EU office',
  timeZone: 'Europe/London',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: ['2026-12-25'],
  holidayPresets: ['GB'],
  extraWorkingDays: ['2026-02-14'],
};

describe('business calendars API', () => {
  let h: Harness;
  let shanghaiId: string;
  let euId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    shanghaiId = (await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: 'CN-Shanghai' } })).id;
  });
  afterAll(() => h?.close());

  const due = (id: string, from: string, duration: string) => h.http.get(`/api/calendars/${id}/due`).query({ from, duration }).set(h.as('agent'));

  it('creates a calendar from the documented body (managers and administrators only)', async () => {
    expect((await h.http.post('/api/calendars').set(h.as('agent')).send(EU_OFFICE)).status).toBe(403);
    const created = await h.http.post('/api/calendars').set(h.as('manager')).send(EU_OFFICE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'EU office', timeZone: 'Europe/London', holidayPresets: ['GB'], alwaysOpen: false });
    euId = created.body.id;
    expect((await h.http.post('/api/calendars').set(h.as('manager')).send(EU_OFFICE)).status).toBe(409);
    const listed = await h.http.get('/api/calendars').set(h.as('requester'));
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['24x7', 'CN-Shanghai', 'EU office', 'EU-Paris']);
  });

  it('refuses a calendar that cannot be computed, naming the field', async () => {
    const cases: [object, string][] = [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ weekly: { mon: [['09:00', '25:00']] } }, 'weekly.mon'],
      [{ weekly: { mon: [['13:00', '12:00']] } }, 'weekly.mon'],
      [{ weekly: { mon: [['09:00', '12:00'], ['11:00', '14:00']] } }, 'weekly.mon'],
      [{ holidayPresets: ['XX'] }, 'holidayPresets.0'],
      [{ holidays: ['2026-13-01'] }, 'holidays.0'],
      [{ weekly: { caturday: [['09:00', '10:00']] } }, 'weekly'],
    ];
    for (const [change, field] of cases) {
      const response = await h.http.post('/api/calendars').set(h.as('admin')).send({ ...EU_OFFICE, name: `bad ${field}`, ...change });
      expect([field, response.status]).toEqual([field, 400]);
      expect(response.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
    }
  });

  it('previews the CN-Shanghai calendar: Friday 17:30 + 8 business hours is Monday 18:00', async () => {
    const response = await due(shanghaiId, '2026-03-06T17:30:00+08:00', 'PT8H');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ due: '2026-03-09T10:00:00.000Z' });
    // Spring Festival: the make-up Saturday counts, the nine days of holiday do not.
    expect((await due(shanghaiId, '2026-02-14T17:00:00+08:00', 'PT2H')).body.due).toBe('2026-02-24T02:00:00.000Z');
    const between = await h.http.get(`/api/calendars/${shanghaiId}/between`).query({ from: '2026-03-06T16:00:00+08:00', to: '2026-03-09T10:00:00+08:00' }).set(h.as('agent'));
    expect(between.body).toEqual({ businessSeconds: 3 * 3600 });
  });

  it('previews the EU office: GB presets (Boxing Day substitute) and an extra working Saturday', async () => {
    // Thu 24 Dec 16:00 + 4h: 1h that day, 25th (explicit), weekend, Mon 28th (GB substitute day) off, then Tue 09:00 + 3h.
    expect((await due(euId, '2026-12-24T16:00:00Z', 'PT4H')).body.due).toBe('2026-12-29T12:00:00.000Z');
    // Fri 13 Feb 16:00 + 2h: 1h on Friday, then Saturday the 14th is a working day.
    expect((await due(euId, '2026-02-13T16:00:00Z', 'PT2H')).body.due).toBe('2026-02-14T10:00:00.000Z');
  });

  it('validates the preview parameters', async () => {
    const badDuration = await due(shanghaiId, '2026-03-06T17:30:00+08:00', 'eight hours');
    expect(badDuration.status).toBe(400);
    expect(badDuration.body.errors[0]).toMatchObject({ location: 'query', field: 'duration' });
    const badFrom = await due(shanghaiId, 'Friday', 'PT1H');
    expect(badFrom.body.errors[0]).toMatchObject({ location: 'query', field: 'from' });
    expect((await due('00000000-0000-4000-8000-000000000000', '2026-03-06T17:30:00Z', 'PT1H')).status).toBe(404);
  });
});

describe('SLA policies API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('is read by staff and changed by managers; new incidents run on the changed policy', async () => {
    const net = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'NET' } });
    expect((await h.http.get('/api/sla-policies').set(h.as('requester'))).status).toBe(403);
    const list = await h.http.get(`/api/sla-policies?serviceId=${net.id}`).set(h.as('agent'));
    expect(list.body.items.map((p: { priority: string }) => p.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
    const p4 = list.body.items[3];
    expect(p4.warningThresholds).toEqual([0.5, 0.75, 0.9]);

    const change = { responseTargetSeconds: 1_800, resolutionTargetSeconds: 7_200, warningThresholds: [0.6, 0.8], escalationChain: [{ level: 1, atFraction: 1, notify: ['groupLead', { userEmail: 'li.wei@itsm.local' }] }], reason: 'NET P4 resolved within two hours' };
    expect((await h.http.put(`/api/sla-policies/${p4.id}`).set(h.as('agent')).send(change)).status).toBe(403);
    const updated = await h.http.put(`/api/sla-policies/${p4.id}`).set(h.as('manager')).send(change);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ resolutionTargetSeconds: 7_200, warningThresholds: [0.6, 0.8] });

    const incident = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Printer offline', impact: 'low', urgency: 'low', serviceId: net.id });
    const resolution = await eventually(async () => {
      const clock = (await h.http.get(`/api/incidents/${incident.body.id}`).set(h.as('agent'))).body.clocks?.resolution;
      if (!clock) throw new Error('workflow not initialised yet');
      return clock;
    });
    expect(resolution.targetSeconds).toBe(7_200);
  });

  it('refuses an inconsistent policy, naming the field', async () => {
    const policy = await h.db.prisma.slaPolicy.findFirstOrThrow();
    const cases: [object, string][] = [
      [{ warningThresholds: [0.5, 1.2] }, 'warningThresholds.1'],
      [{ warningThresholds: [0.5, 0.5] }, 'warningThresholds'],
      [{ escalationChain: [{ level: 1, atFraction: 1, notify: [] }] }, 'escalationChain.0.notify'],
      [{ escalationChain: [{ level: 1, atFraction: 1, notify: ['assignee'], reassignToGroupId: '00000000-0000-4000-8000-000000000000' }] }, 'escalationChain.0.reassignToGroupId'],
      [{ calendarId: '00000000-0000-4000-8000-000000000000' }, 'calendarId'],
      [{ responseTargetSeconds: -5 }, 'responseTargetSeconds'],
      [{ priority: 'P1' }, 'priority'],
      [{ escalationChain: [{ level: 1, atFraction: 1, notify: [{ groupId: '00000000-0000-4000-8000-000000000000' }] }] }, 'escalationChain.0.notify.0.groupId'],
    ];
    for (const [body, field] of cases) {
      const response = await h.http.put(`/api/sla-policies/${policy.id}`).set(h.as('admin')).send({ ...body, reason: 'test' });
      expect([field, response.status, response.body.errors?.[0]?.field]).toEqual([field, 400, field]);
    }
  });
});
