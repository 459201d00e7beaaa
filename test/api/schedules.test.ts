import { SCHEDULE_NAMES, registerSchedules, scheduleId } from '../../temporal-config/schedules';
import { eventually, startHarness, type Harness } from '../support/harness';

describe('schedules through the API', () => {
  let h: Harness;
  let prefix: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    prefix = h.apiDeps.schedulePrefix!;
  });
  afterAll(async () => {
    for (const name of SCHEDULE_NAMES) await h.temporal.schedule.getHandle(scheduleId(prefix, name)).delete().catch(() => undefined);
    await h?.close();
  });

  it('answers 404 for a schedule the worker has not registered yet', async () => {
    expect((await h.http.get('/api/schedules').set(h.as('agent'))).body.items).toEqual([]);
    expect((await h.http.post('/api/schedules/trend-detection/trigger').set(h.as('manager')).send({})).status).toBe(404);
  });

  it('lists the registered schedules with their next runs; a manager pauses, triggers and resumes one', async () => {
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: prefix });
    const listed = await h.http.get('/api/schedules').set(h.as('agent'));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: { name: string; workflowType: string; paused: boolean }) => `${s.name} ${s.workflowType} ${s.paused}`)).toEqual([
      'trend-detection trendDetection false',
      'asset-alerts assetAlertCheck false',
      'annual-audit annualAudit false',
      'service-reports monthlyServiceReports false',
      'continuity-tests continuityTests false',
      'competence-reviews competenceReviews false',
      'certification-reminders certificationReminders false',
      'calendar-holidays calendarHolidayRefresh false',
      'access-recertification accessRecertification false',
    ]);
    for (const schedule of listed.body.items) expect(Date.parse(schedule.nextRuns[0])).toBeGreaterThan(Date.now());

    const paused = await h.http.post('/api/schedules/asset-alerts/pause').set(h.as('manager')).send({ note: 'Asset data being migrated' });
    expect(paused.body).toMatchObject({ paused: true, note: 'Asset data being migrated' });
    expect((await h.temporal.schedule.getHandle(scheduleId(prefix, 'asset-alerts')).describe()).state.paused).toBe(true);

    const triggered = await h.http.post('/api/schedules/trend-detection/trigger').set(h.as('manager')).send({});
    expect(triggered.status).toBe(202);
    const ran = await eventually(async () => {
      const [trend] = (await h.http.get('/api/schedules').set(h.as('agent'))).body.items;
      if (!trend.lastRun) throw new Error('not run yet');
      return trend.lastRun.workflowId as string;
    });
    expect(await h.temporal.workflow.getHandle(ran).result()).toEqual([]);

    const resumed = await h.http.post('/api/schedules/asset-alerts/unpause').set(h.as('manager')).send({ note: 'Migration done' });
    expect(resumed.body.paused).toBe(false);
  });

  it('moves a schedule when the configuration gives it a cron expression, updating it in place', async () => {
    const before = (await h.http.get('/api/schedules').set(h.as('agent'))).body.items.length;
    const registered = await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: prefix, cron: { 'annual-audit': '0 9 1 7 *' } });
    expect(registered.created).toEqual([]);
    const items = (await h.http.get('/api/schedules').set(h.as('agent'))).body.items as { name: string; nextRuns: string[] }[];
    expect(items).toHaveLength(before);
    const now = new Date();
    const julyFirst = (year: number) => Date.UTC(year, 6, 1, 9);
    const expected = julyFirst(now.getUTCFullYear()) > now.getTime() ? julyFirst(now.getUTCFullYear()) : julyFirst(now.getUTCFullYear() + 1);
    expect(items.find((s) => s.name === 'annual-audit')!.nextRuns[0]).toBe(new Date(expected).toISOString());
    expect(items.find((s) => s.name === 'service-reports')!.nextRuns[0]).toMatch(/-01T06:00:00\.000Z$/);
  });

  it('keeps the controls to managers and names a bad schedule or a missing reason', async () => {
    expect((await h.http.get('/api/schedules').set(h.as('requester'))).status).toBe(403);
    expect((await h.http.post('/api/schedules/trend-detection/trigger').set(h.as('agent')).send({})).status).toBe(403);
    const unknown = await h.http.post('/api/schedules/coffee/pause').set(h.as('manager')).send({ note: 'why not' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('name');
    const noReason = await h.http.post('/api/schedules/trend-detection/pause').set(h.as('manager')).send({});
    expect(noReason.body.errors[0].field).toBe('note');
  });
});
