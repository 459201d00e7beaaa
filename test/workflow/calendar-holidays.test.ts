import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readInbox } from '../../scripts/mail-catcher';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const WEEKDAYS_9_TO_5 = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']]]));
const FEED_SECRET = 'private-4f1c9e';

/** An iCalendar file with one all-day event per date (each marked as a make-up working day when asked). */
function ics(days: { date: string; workingDay?: boolean }[]): string {
  const events = days.map(({ date, workingDay }) => [
    'BEGIN:VEVENT',
    `UID:${date}@test`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART;VALUE=DATE:${date.replaceAll('-', '')}`,
    `SUMMARY:${workingDay ? 'Working Saturday' : 'Office closed'}`,
    ...(workingDay ? ['X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY'] : []),
    'END:VEVENT',
  ]);
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//itsm test//EN', ...events.flat(), 'END:VCALENDAR', ''].join('\r\n');
}

describe.each(databaseKinds())('business calendar holiday sources, refresh and coverage alerts (%s)', (kind) => {
  let h: Harness;
  let feed: Server;
  let feedBody = '';
  let feedRequests = 0;
  let feedUrl: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    feed = createServer((_req, res) => {
      feedRequests++;
      res.writeHead(200, { 'content-type': 'text/calendar' }).end(feedBody);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/${FEED_SECRET}/basic.ics`;
  });
  afterAll(async () => {
    if (feed.listening) await new Promise((resolve) => feed.close(resolve));
    await h?.close();
  });

  /** One run of the daily workflow, as its Schedule starts it (with the clock given, when given). */
  async function refresh(at?: string, record?: string) {
    const workflowId = `calendar-holidays-${randomUUID()}`;
    const result = await h.temporal.workflow.execute('calendarHolidayRefresh', { taskQueue: h.taskQueue, workflowId, args: [at ? { at } : {}] });
    if (record) await recordHistoryIfAsked(workflowId, record);
    return result as { refreshed: { calendar: string; source: string; changedDays: number; error?: string }[]; coverage: { uncovered: string[]; sent: number } };
  }
  const due = async (id: string, from: string, duration: string) => (await h.http.get(`/api/calendars/${id}/due`).query({ from, duration }).set(h.as('agent'))).body.due;
  const calendar = async (id: string) => (await h.http.get(`/api/calendars/${id}`).set(h.as('requester'))).body;

  it('gives CN-Shanghai its days from chinese-days: 2026 deadlines as the hand-typed notice, covered until 2026 only', async () => {
    const shanghai = (await h.http.get('/api/calendars').set(h.as('requester'))).body.items.find((c: { name: string }) => c.name === 'CN-Shanghai');
    expect(shanghai).toMatchObject({ chineseDays: true, holidays: [], extraWorkingDays: [], coveredUntil: '2026-12-31', coveredIndefinitely: false });
    expect(shanghai.sources).toEqual([expect.objectContaining({ kind: 'chinese-days', lastError: null })]);
    // The make-up Saturday before the Spring Festival counts; the nine days of holiday do not.
    expect(await due(shanghai.id, '2026-02-13T17:00:00+08:00', 'PT4H')).toBe('2026-02-14T04:00:00.000Z');
    expect(await due(shanghai.id, '2026-02-14T17:00:00+08:00', 'PT2H')).toBe('2026-02-24T02:00:00.000Z');
    const paris = (await h.http.get('/api/calendars').set(h.as('requester'))).body.items.find((c: { name: string }) => c.name === 'EU-Paris');
    expect(paris).toMatchObject({ holidayPresets: ['FR'], coveredUntil: null, coveredIndefinitely: true });
  });

  let feedCalendarId: string;

  it('takes holidays and working days from a feed; the next refresh applies a new holiday to new deadlines and records it', async () => {
    feedBody = ics([{ date: '2026-12-25' }, { date: '2026-12-26', workingDay: true }]);
    const created = await h.http.post('/api/calendars').set(h.as('manager')).send({ name: 'Feed office', timeZone: 'Europe/London', weekly: WEEKDAYS_9_TO_5, feedUrl });
    expect(created.status).toBe(201);
    feedCalendarId = created.body.id;
    expect(created.body.feed).toBe(new URL(feedUrl).origin);
    expect(JSON.stringify(created.body)).not.toContain(FEED_SECRET);
    expect(created.body.sources).toEqual([expect.objectContaining({ kind: 'feed', holidays: 1, workingDays: 1, lastError: null })]);
    // Wed 23 Dec 16:00 + 2h: an hour that day, then Thursday the 24th from 09:00.
    expect(await due(feedCalendarId, '2026-12-23T16:00:00Z', 'PT2H')).toBe('2026-12-24T10:00:00.000Z');
    // Fri 25th is the feed's holiday; Saturday the 26th is its working day.
    expect(await due(feedCalendarId, '2026-12-24T16:00:00Z', 'PT2H')).toBe('2026-12-26T10:00:00.000Z');

    feedBody = ics([{ date: '2026-12-24' }, { date: '2026-12-25' }, { date: '2026-12-26', workingDay: true }]);
    const run = await refresh(undefined, 'calendar-holiday-refresh');
    expect(run.refreshed).toContainEqual({ calendar: 'Feed office', source: 'feed', changedDays: 1 });
    expect(await due(feedCalendarId, '2026-12-23T16:00:00Z', 'PT2H')).toBe('2026-12-26T10:00:00.000Z');
    const history = (await h.http.get(`/api/calendars/${feedCalendarId}/history`).set(h.as('agent'))).body.items;
    expect(history[0]).toMatchObject({ source: 'feed', date: '2026-12-24', dayKind: 'holiday', change: 'added' });
    expect(history.map((c: { date: string; change: string }) => `${c.date} ${c.change}`).sort()).toEqual(['2026-12-24 added', '2026-12-25 added', '2026-12-26 added']);

    // Saving the calendar with its owner and feed as they are is no reason to read the feed again; the daily refresh does.
    const read = feedRequests;
    const saved = await h.http.patch(`/api/calendars/${feedCalendarId}`).set(h.as('manager')).send({ ownerId: h.userIds.manager, feedUrl });
    expect([saved.status, saved.body.ownerId, feedRequests]).toEqual([200, h.userIds.manager, read]);
  });

  it('keeps the last good data of a malformed or unreachable feed and reports the error, without the secret in its address', async () => {
    feedBody = 'Service Unavailable';
    const malformed = await refresh();
    expect(malformed.refreshed).toContainEqual({ calendar: 'Feed office', source: 'feed', changedDays: 0, error: expect.stringContaining('not an iCalendar file') });
    expect((await calendar(feedCalendarId)).sources[0]).toMatchObject({ holidays: 2, workingDays: 1, lastError: expect.stringContaining('not an iCalendar file') });

    await new Promise((resolve) => feed.close(resolve));
    const unreachable = await refresh();
    const error = unreachable.refreshed.find((o) => o.calendar === 'Feed office')!.error!;
    expect(error).toMatch(/could not be read \(ECONNREFUSED\)/);
    expect(error).not.toContain(FEED_SECRET);
    const kept = await calendar(feedCalendarId);
    expect(kept.sources[0]).toMatchObject({ holidays: 2, workingDays: 1, lastError: error });
    expect(await due(feedCalendarId, '2026-12-23T16:00:00Z', 'PT2H')).toBe('2026-12-26T10:00:00.000Z');
    expect((await h.http.get(`/api/calendars/${feedCalendarId}/history`).set(h.as('agent'))).body.items).toHaveLength(3);
  });

  it('takes an uploaded .ics and refuses one that is not iCalendar, naming the field', async () => {
    const bad = await h.http.patch(`/api/calendars/${feedCalendarId}`).set(h.as('manager')).send({ ics: 'BEGIN:NOTHING' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'ics' });
    const uploaded = await h.http.patch(`/api/calendars/${feedCalendarId}`).set(h.as('manager')).send({ ics: ics([{ date: '2027-01-01' }]), feedUrl: null });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ feed: null, coveredUntil: '2027-12-31' });
    expect(uploaded.body.sources.map((s: { kind: string }) => s.kind)).toEqual(['ics']);
    expect(await due(feedCalendarId, '2026-12-23T16:00:00Z', 'PT2H')).toBe('2026-12-24T10:00:00.000Z');
    expect((await h.http.patch(`/api/calendars/${feedCalendarId}`).set(h.as('agent')).send({ chineseDays: true })).status).toBe(403);
  });

  it('from 1 November mails the owner of a calendar without next year once a week, until next year is added', async () => {
    const owner = 'sam.taylor@itsm.local';
    const created = await h.http.post('/api/calendars').set(h.as('manager')).send({ name: 'Only 2026', timeZone: 'Europe/London', weekly: WEEKDAYS_9_TO_5, holidays: ['2026-12-25'], ownerId: h.userIds.agent2 });
    expect(created.body).toMatchObject({ coveredUntil: '2026-12-31', ownerId: h.userIds.agent2 });
    const id = created.body.id;
    const ownerMails = async () => (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-calendar-id'] === id && m.to.some((to) => to.address === owner));

    expect((await refresh('2026-10-31T05:00:00Z')).coverage.uncovered).not.toContain('Only 2026');
    expect((await refresh('2026-11-15T05:00:00Z')).coverage.uncovered).toContain('Only 2026');
    await refresh('2026-11-16T05:00:00Z');
    await refresh('2026-11-21T05:00:00Z');
    const firstWeek = await eventually(async () => {
      const mails = await ownerMails();
      if (mails.length < 1) throw new Error('no alert yet');
      return mails;
    });
    expect(firstWeek).toHaveLength(1);
    expect(firstWeek[0]).toMatchObject({ subject: '[calendar] Only 2026 has no holidays for 2027' });
    expect(firstWeek[0].headers['x-itsm-uncovered-year']).toBe('2027');
    const admins = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-calendar-id'] === id && m.to.some((to) => to.address === 'admin@itsm.local'));
    expect(admins).toHaveLength(1);

    await refresh('2026-11-22T05:00:00Z');
    expect(await eventually(async () => {
      const mails = await ownerMails();
      if (mails.length < 2) throw new Error('no second alert yet');
      return mails;
    })).toHaveLength(2);

    const added = await h.http.patch(`/api/calendars/${id}`).set(h.as('manager')).send({ holidays: ['2026-12-25', '2027-01-01'] });
    expect(added.body.coveredUntil).toBe('2027-12-31');
    const history = (await h.http.get(`/api/calendars/${id}/history`).set(h.as('agent'))).body.items;
    expect(history[0]).toMatchObject({ source: 'explicit', date: '2027-01-01', dayKind: 'holiday', change: 'added' });
    expect((await refresh('2026-11-29T05:00:00Z')).coverage.uncovered).not.toContain('Only 2026');
    expect(await ownerMails()).toHaveLength(2);
  });

  it('still mails the owner when the refresh itself fails, and the run fails so the Schedule shows it', async () => {
    const owner = 'sam.taylor@itsm.local';
    const created = await h.http.post('/api/calendars').set(h.as('manager')).send({ name: 'Refresh broken', timeZone: 'UTC', weekly: WEEKDAYS_9_TO_5, holidays: ['2026-12-25'], ownerId: h.userIds.agent2 });
    const id = created.body.id;
    // A worker of its own whose refresh fails as a lost database would, on a queue of its own.
    const taskQueue = `${h.taskQueue}-broken-refresh`;
    const connection = await NativeConnection.connect({ address: process.env.ITSM_TEST_TEMPORAL_ADDRESS! });
    const activities = { ...createActivities({ ...h.apiDeps, publicUrl: h.baseUrl }), refreshCalendarSources: async () => { throw ApplicationFailure.nonRetryable('the database is unreachable'); } };
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: { code: readFileSync(process.env.ITSM_TEST_WORKFLOW_BUNDLE!, 'utf8') }, activities });
    try {
      const run = worker.runUntil(h.temporal.workflow.execute('calendarHolidayRefresh', { taskQueue, workflowId: `calendar-holidays-${randomUUID()}`, args: [{ at: '2026-12-07T05:00:00Z' }] }));
      await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
      await expect(run).rejects.toHaveProperty('cause.cause.message', 'the database is unreachable');
    } finally {
      await connection.close();
    }
    const mails = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-calendar-id'] === id);
    for (const person of [owner, 'admin@itsm.local']) {
      expect(mails.filter((m) => m.to.some((to) => to.address === person)).map((m) => m.subject)).toEqual(['[calendar] Refresh broken has no holidays for 2027']);
    }
  });

  it('flags the SLA figures of a service report whose calendar has no holidays for the month', async () => {
    const bare = await h.http.post('/api/calendars').set(h.as('manager')).send({ name: 'No holidays', timeZone: 'UTC', weekly: WEEKDAYS_9_TO_5 });
    expect(bare.body).toMatchObject({ coveredUntil: null, coveredIndefinitely: false });
    const erp = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'ERP' } });
    await h.db.prisma.slaPolicy.updateMany({ where: { serviceId: erp.id, priority: 'P3' }, data: { calendarId: bare.body.id } });
    await h.temporal.workflow.execute('monthlyServiceReports', { taskQueue: h.taskQueue, workflowId: `service-reports-${randomUUID()}` });
    const reports = await h.db.prisma.serviceReport.findMany({ include: { service: true } });
    const flagged = Object.fromEntries(reports.map((r) => [r.service.code, (r.data as { uncoveredCalendars: string[] }).uncoveredCalendars]));
    expect(flagged.ERP).toContain('No holidays');
    expect(flagged.NET).not.toContain('No holidays');
    const report = reports.find((r) => r.service.code === 'ERP')!;
    const page = await h.http.get(`/api/service-reports/${report.id}/report.html`).set(h.as('manager'));
    expect(page.text).toContain(`calendar(s) No holidays had no holiday data for ${report.periodStart.getUTCFullYear()}`);
  });
});
