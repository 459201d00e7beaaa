import { availabilityBreached, availabilityOver, type OutageSpan } from '../../domain/availability';
import { ALWAYS_OPEN, type CalendarDefinition } from '../../domain/calendar';

const HOUR = 3600;
const WORKDAY: ['09:00', '18:00'][] = [['09:00', '18:00']];

/** Mon–Fri 09:00–18:00 in Shanghai, with a National Day week off (1–7 October) and a make-up Sunday before it. */
const SHANGHAI: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  alwaysOpen: false,
  weekly: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY },
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  extraWorkingDays: ['2026-09-27'],
};
/** The same hours in London, where the clocks go back on 25 October 2026. */
const LONDON: CalendarDefinition = { ...SHANGHAI, timeZone: 'Europe/London', holidays: [], extraWorkingDays: [] };

const sh = (local: string) => Date.parse(`${local}:00+08:00`);
const outage = (start: string, end: string | null, planned = false): OutageSpan => ({ startMs: sh(start), endMs: end === null ? null : sh(end), planned });
const LATER = sh('2027-01-01T00:00');

describe('availability from outages over agreed service hours', () => {
  it('a 30-minute major incident on a 09:00–18:00 day leaves 94.4 %', () => {
    const day = availabilityOver(SHANGHAI, [outage('2026-09-15T10:00', '2026-09-15T10:30')], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), LATER);
    expect(day).toEqual({ agreedSeconds: 9 * HOUR, plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 1_800, availabilityPercent: 94.4 });
  });

  it('a planned change window outside service hours changes nothing', () => {
    const period = [sh('2026-09-14T00:00'), sh('2026-09-21T00:00')] as const;
    const without = availabilityOver(SHANGHAI, [outage('2026-09-15T10:00', '2026-09-15T10:30')], ...period, LATER);
    const withNightWindow = availabilityOver(SHANGHAI, [outage('2026-09-15T10:00', '2026-09-15T10:30'), outage('2026-09-15T20:00', '2026-09-16T02:00', true), outage('2026-09-19T08:00', '2026-09-20T20:00', true)], ...period, LATER);
    expect(withNightWindow).toEqual(without);
    expect(without).toEqual({ agreedSeconds: 45 * HOUR, plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 1_800, availabilityPercent: 98.9 });
  });

  it('planned downtime inside service hours leaves the agreed hours, not the availability', () => {
    const day = availabilityOver(SHANGHAI, [outage('2026-09-15T09:00', '2026-09-15T12:00', true)], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), LATER);
    expect(day).toEqual({ agreedSeconds: 9 * HOUR, plannedDowntimeSeconds: 3 * HOUR, unplannedDowntimeSeconds: 0, availabilityPercent: 100 });
    // An incident inside the planned window costs nothing more; the hour it overruns the window does.
    const overrun = availabilityOver(SHANGHAI, [outage('2026-09-15T09:00', '2026-09-15T12:00', true), outage('2026-09-15T11:00', '2026-09-15T13:00')], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), LATER);
    expect(overrun).toMatchObject({ plannedDowntimeSeconds: 3 * HOUR, unplannedDowntimeSeconds: HOUR, availabilityPercent: 83.3 });
  });

  it('overlapping outages count once', () => {
    const day = availabilityOver(
      SHANGHAI,
      [outage('2026-09-15T10:00', '2026-09-15T11:00'), outage('2026-09-15T10:30', '2026-09-15T11:30'), outage('2026-09-15T10:45', '2026-09-15T11:15'), outage('2026-09-15T11:30', '2026-09-15T12:00')],
      sh('2026-09-15T00:00'),
      sh('2026-09-16T00:00'),
      LATER,
    );
    expect(day.unplannedDowntimeSeconds).toBe(2 * HOUR);
    expect(day.availabilityPercent).toBe(77.8);
  });

  it('an outage from Friday afternoon to Monday morning counts only the service hours it took', () => {
    // Fri 2026-09-18 16:00 to Mon 2026-09-21 10:00: two hours on Friday and one on Monday; the weekend is not agreed.
    const week = availabilityOver(SHANGHAI, [outage('2026-09-18T16:00', '2026-09-21T10:00')], sh('2026-09-14T00:00'), sh('2026-09-26T00:00'), LATER);
    expect(week).toMatchObject({ agreedSeconds: 90 * HOUR, unplannedDowntimeSeconds: 3 * HOUR, availabilityPercent: 96.7 });
  });

  it('holidays are not agreed hours and make-up working days are', () => {
    // Across National Day: Sun 27 Sep is worked, 1–7 Oct are off (3–4 Oct a weekend), Thu 8 Oct is back at work.
    const holiday = availabilityOver(SHANGHAI, [outage('2026-09-30T17:00', '2026-10-08T10:00')], sh('2026-09-27T00:00'), sh('2026-10-09T00:00'), LATER);
    // Worked: Sun 27, Mon 28, Tue 29, Wed 30, Thu 8 Oct = 5 days; down: 1 h on the 30th and 1 h on the 8th.
    expect(holiday).toMatchObject({ agreedSeconds: 45 * HOUR, unplannedDowntimeSeconds: 2 * HOUR, availabilityPercent: 95.6 });
    const makeUpSunday = availabilityOver(SHANGHAI, [outage('2026-09-27T09:00', '2026-09-27T18:00')], sh('2026-09-27T00:00'), sh('2026-09-28T00:00'), LATER);
    expect(makeUpSunday.availabilityPercent).toBe(0);
  });

  it('an open outage counts up to now, and a period still running is measured so far', () => {
    const now = sh('2026-09-15T12:00');
    const running = availabilityOver(SHANGHAI, [outage('2026-09-15T11:00', null)], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), now);
    expect(running).toMatchObject({ agreedSeconds: 3 * HOUR, unplannedDowntimeSeconds: HOUR, availabilityPercent: 66.7 });
    // A month later the same outage, still open, has taken the rest of that day too.
    const dayAfterwards = availabilityOver(SHANGHAI, [outage('2026-09-15T11:00', null)], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), sh('2026-10-15T00:00'));
    expect(dayAfterwards).toMatchObject({ agreedSeconds: 9 * HOUR, unplannedDowntimeSeconds: 7 * HOUR, availabilityPercent: 22.2 });
  });

  it('outages that begin before or end after the period count only inside it', () => {
    const day = availabilityOver(SHANGHAI, [outage('2026-09-14T17:00', '2026-09-15T09:30'), outage('2026-09-15T17:30', '2026-09-16T12:00')], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), LATER);
    expect(day).toMatchObject({ unplannedDowntimeSeconds: HOUR, availabilityPercent: 88.9 });
  });

  it('a month on a 24x7 service: 43.8 minutes of downtime in 30 days is 99.9 %', () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    const month = availabilityOver(ALWAYS_OPEN, [{ startMs: start + 86_400_000, endMs: start + 86_400_000 + 43.8 * 60_000, planned: false }], start, Date.parse('2026-12-01T00:00:00Z'), LATER);
    expect(month).toMatchObject({ agreedSeconds: 30 * 24 * HOUR, availabilityPercent: 99.9 });
  });

  it('service hours are local wall-clock time across a DST change', () => {
    // The same 08:30–09:30 UTC outage: on Friday 23 October London is on BST (09:30–10:30 local, all of it in
    // service hours); on Monday 26 October, after the clocks went back, on GMT (08:30–09:30, half of it).
    const utcOutage = (date: string): OutageSpan => ({ startMs: Date.parse(`${date}T08:30:00Z`), endMs: Date.parse(`${date}T09:30:00Z`), planned: false });
    const londonDay = (date: string) => [Date.parse(`${date}T00:00:00+01:00`), Date.parse(`${date}T00:00:00+01:00`) + 24 * HOUR * 1000] as const;
    expect(availabilityOver(LONDON, [utcOutage('2026-10-23')], ...londonDay('2026-10-23'), LATER)).toMatchObject({ agreedSeconds: 9 * HOUR, unplannedDowntimeSeconds: HOUR });
    expect(availabilityOver(LONDON, [utcOutage('2026-10-26')], ...londonDay('2026-10-26'), LATER)).toMatchObject({ agreedSeconds: 9 * HOUR, unplannedDowntimeSeconds: 1_800 });
  });

  it('a period with no agreed hours has no figure, and no figure or no target is no breach', () => {
    const weekend = availabilityOver(SHANGHAI, [outage('2026-09-19T10:00', '2026-09-19T12:00')], sh('2026-09-19T00:00'), sh('2026-09-21T00:00'), LATER);
    expect(weekend).toEqual({ agreedSeconds: 0, plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 0, availabilityPercent: null });
    const future = availabilityOver(SHANGHAI, [], sh('2026-09-15T00:00'), sh('2026-09-16T00:00'), sh('2026-09-01T00:00'));
    expect(future.availabilityPercent).toBeNull();
    expect(availabilityBreached(94.4, 99.5)).toBe(true);
    expect(availabilityBreached(99.5, 99.5)).toBe(false);
    expect(availabilityBreached(null, 99.5)).toBe(false);
    expect(availabilityBreached(50, null)).toBe(false);
  });
});
