import type { ServiceReportData } from '../../activities/service-reports';
import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, runSchedule, suiteScheduleId } from '../support/schedules';

const WORKDAY = [['09:00', '18:00']];
const HOUR = 3600;

/** The first Tuesday of the month before now (UTC), as 'YYYY-MM-DD': a working day of the month the report covers. */
function tuesdayLastMonth(): string {
  const now = new Date();
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  while (day.getUTCDay() !== 2) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

describe.each(databaseKinds())('outages and availability through the API on %s', (kind) => {
  let h: Harness;
  let calendarId: string;
  const day = tuesdayLastMonth();
  const at = (time: string) => `${day}T${time}:00Z`;
  beforeAll(async () => {
    h = await startHarness(kind);
    const calendar = await h.http.post('/api/calendars').set(h.as('manager')).send({ name: 'Office 09-18 UTC', timeZone: 'UTC', weekly: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY } });
    expect(calendar.status).toBe(201);
    calendarId = calendar.body.id;
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  const serviceId = async (code: string) => (await h.db.prisma.service.findUniqueOrThrow({ where: { code } })).id;
  const availability = (id: string, from: string, to: string) => h.http.get(`/api/services/${id}/availability`).query({ from, to }).set(h.as('requester'));
  const field = (response: { status: number; body: { errors?: { field: string }[] } }) => [response.status, response.body.errors?.map((e) => e.field)];

  it('managers set service hours and an availability target; bad values answer 400 naming the field', async () => {
    const desk = await serviceId('DESK');
    expect(field(await h.http.patch(`/api/services/${desk}`).set(h.as('manager')).send({ availabilityTargetPercent: 100.5 }))).toEqual([400, ['availabilityTargetPercent']]);
    expect(field(await h.http.patch(`/api/services/${desk}`).set(h.as('manager')).send({ serviceHoursCalendarId: '00000000-0000-4000-8000-000000000000' }))).toEqual([400, ['serviceHoursCalendarId']]);
    expect((await h.http.patch(`/api/services/${desk}`).set(h.as('agent')).send({ availabilityTargetPercent: 99 })).status).toBe(403);
    const updated = await h.http.patch(`/api/services/${desk}`).set(h.as('manager')).send({ serviceHoursCalendarId: calendarId, availabilityTargetPercent: 99.9 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ serviceHoursCalendarId: calendarId, availabilityTargetPercent: 99.9 });
  });

  it('a major incident opens an outage and its resolution ends it; 10:00–10:30 on a 09:00–18:00 day is 94.4 %, and a planned window outside the hours changes nothing', async () => {
    const desk = await serviceId('DESK');
    const raised = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Nobody can log in to their laptop', impact: 'high', urgency: 'high', serviceId: desk });
    expect(raised.status).toBe(201);
    const incidentId = raised.body.id as string;
    const declaredFrom = Date.now();
    expect((await h.http.post(`/api/incidents/${incidentId}/major`).set(h.as('manager')).send({ reason: 'every laptop refuses sign-in' })).status).toBe(200);
    const opened = await eventually(async () => {
      const [outage] = (await h.http.get(`/api/services/${desk}/outages`).set(h.as('agent'))).body.items;
      if (!outage) throw new Error('no outage yet');
      return outage;
    });
    expect(opened).toMatchObject({ serviceId: desk, incidentId, changeId: null, planned: false, endedAt: null, source: 'incident', description: 'every laptop refuses sign-in' });
    expect(Date.parse(opened.startedAt)).toBeGreaterThanOrEqual(declaredFrom - 1_000);
    expect((await h.http.post(`/api/incidents/${incidentId}/resolve`).set(h.as('agent')).send({ code: 'fixed', summary: 'Identity provider certificate renewed' })).status).toBe(200);
    await eventually(async () => {
      const outage = await h.db.prisma.outage.findUniqueOrThrow({ where: { id: opened.id } });
      if (!outage.endedAt) throw new Error('outage still open');
      expect(outage.endedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(opened.startedAt));
    });

    // The incident happened on a past day: the manager puts the outage where it was.
    expect(field(await h.http.patch(`/api/outages/${opened.id}`).set(h.as('manager')).send({ startedAt: at('10:00'), endedAt: at('10:30') }))).toEqual([400, ['reason']]);
    expect(field(await h.http.patch(`/api/outages/${opened.id}`).set(h.as('manager')).send({ startedAt: at('10:30'), endedAt: at('10:00'), reason: 'times from monitoring' }))).toEqual([400, ['endedAt']]);
    expect((await h.http.patch(`/api/outages/${opened.id}`).set(h.as('agent')).send({ startedAt: at('10:00'), reason: 'times from monitoring' })).status).toBe(403);
    const corrected = await h.http.patch(`/api/outages/${opened.id}`).set(h.as('manager')).send({ startedAt: at('10:00'), endedAt: at('10:30'), reason: 'times from monitoring' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ startedAt: new Date(at('10:00')).toISOString(), endedAt: new Date(at('10:30')).toISOString(), correctedById: h.userIds.manager, correctionReason: 'times from monitoring' });

    const nextDay = new Date(Date.parse(at('00:00')) + 24 * HOUR * 1000).toISOString();
    const figure = await availability(desk, at('00:00'), nextDay);
    expect(figure.status).toBe(200);
    expect(figure.body).toMatchObject({ agreedSeconds: 9 * HOUR, plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 1_800, availabilityPercent: 94.4, targetPercent: 99.9, targetMet: false, serviceHoursCalendarId: calendarId });

    const window = await h.http.post(`/api/services/${desk}/outages`).set(h.as('manager')).send({ startedAt: at('19:00'), endedAt: at('23:00'), planned: true, description: 'Evening patch window' });
    expect(window.status).toBe(201);
    expect(window.body).toMatchObject({ planned: true, source: 'manager', endedAt: new Date(at('23:00')).toISOString() });
    expect((await availability(desk, at('00:00'), nextDay)).body).toEqual(figure.body);
  });

  it('the monthly report shows the figure and the target, and the breach is mailed to the owner once, in their language', async () => {
    // EMAIL: its owner reads Chinese; the same outage on its own calendar day.
    const email = await serviceId('EMAIL');
    expect((await h.http.patch(`/api/services/${email}`).set(h.as('manager')).send({ serviceHoursCalendarId: calendarId, availabilityTargetPercent: 99.9 })).status).toBe(200);
    expect((await h.http.post(`/api/services/${email}/outages`).set(h.as('manager')).send({ startedAt: at('10:00'), endedAt: at('10:30'), planned: false, description: 'Mail queue stalled' })).status).toBe(201);

    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix! });
    await runSchedule(h, suiteScheduleId(h, 'service-reports'), 1);
    await runSchedule(h, suiteScheduleId(h, 'service-reports'), 2);
    const month = day.slice(0, 7);
    for (const [code, owner, subject] of [
      ['DESK', 'mei.chen@itsm.local', `[DESK] ${month} 可用性`],
      ['EMAIL', 'li.wei@itsm.local', `[EMAIL] ${month} 可用性`],
    ] as const) {
      const report = await h.db.prisma.serviceReport.findFirstOrThrow({ where: { service: { code } } });
      const data = report.data as unknown as ServiceReportData;
      expect(data.month).toBe(month);
      expect(data.availabilityTargetPercent).toBe(99.9);
      const { availability: measured } = data.current;
      expect(measured.unplannedDowntimeSeconds).toBe(1_800);
      // Every working day of the month at nine hours, half an hour of it lost.
      expect(measured.availabilityPercent).toBe(Math.round(((measured.agreedSeconds - 1_800) / measured.agreedSeconds) * 1_000) / 10);
      expect(measured.availabilityPercent).toBeLessThan(99.9);
      const page = await h.http.get(`/api/service-reports/${report.id}/report.html`).set(h.as('manager'));
      // The month before had service hours and no outage.
      expect(page.text).toContain(`<td>Availability</td><td>100 %</td><td>${measured.availabilityPercent} %</td>`);
      expect(page.text).toContain('<td>Availability target</td><td>99.9 %</td><td>99.9 %</td>');
      // Suites share the mail catcher: the report's id tells this database's mail apart.
      const breaches = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-service-report-id'] === report.id && m.headers['x-itsm-availability-month'] === month);
      expect(breaches.map((m) => m.to[0].address)).toEqual([owner]);
      // Both owners of the demo services read Chinese; the English text is the other half of the template.
      expect(breaches.map((m) => m.subject)).toEqual([expect.stringContaining(subject)]);
      expect(breaches[0].text).toContain(`${measured.availabilityPercent} %`);
    }
  });

  it('an English-reading owner gets the notice in English; bad periods and links answer 400 naming the field', async () => {
    const net = await serviceId('NET');
    expect((await h.http.patch(`/api/services/${net}`).set(h.as('manager')).send({ serviceHoursCalendarId: calendarId, availabilityTargetPercent: 99.9 })).status).toBe(200);
    expect((await h.http.post(`/api/services/${net}/outages`).set(h.as('manager')).send({ startedAt: at('09:00'), endedAt: at('18:00'), planned: false, description: 'Site link cut by road works' })).status).toBe(201);
    await runSchedule(h, suiteScheduleId(h, 'service-reports'), 3);
    const month = day.slice(0, 7);
    const report = await h.db.prisma.serviceReport.findFirstOrThrow({ where: { service: { code: 'NET' } } });
    const [notice] = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-service-report-id'] === report.id && m.headers['x-itsm-availability-month'] === month);
    expect(notice.to[0].address).toBe('sam.taylor@itsm.local');
    expect(notice.subject).toMatch(new RegExp(`^\\[NET\\] availability [0-9.]+ % in ${month}, below its 99.9 % target$`));

    expect(field(await availability(net, at('12:00'), at('09:00')))).toEqual([400, ['to']]);
    expect(field(await availability(net, '2025-01-01T00:00:00Z', '2026-06-01T00:00:00Z'))).toEqual([400, ['to']]);
    expect(field(await availability(net, 'yesterday', at('09:00')))).toEqual([400, ['from']]);
    expect(field(await h.http.post(`/api/services/${net}/outages`).set(h.as('manager')).send({ startedAt: at('09:00'), planned: false, description: 'x' }))).toEqual([400, ['description']]);
    expect(field(await h.http.post(`/api/services/${net}/outages`).set(h.as('manager')).send({ startedAt: at('09:00'), planned: false, description: 'Linked to nothing', incidentId: '00000000-0000-4000-8000-000000000000' }))).toEqual([400, ['incidentId']]);
    expect((await h.http.get(`/api/services/${net}/outages`).set(h.as('requester'))).status).toBe(403);
    expect((await h.http.get('/api/services/00000000-0000-4000-8000-000000000000/availability').query({ from: at('00:00'), to: at('12:00') }).set(h.as('requester'))).status).toBe(404);
  });
});
