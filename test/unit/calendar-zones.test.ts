import { DateTime } from 'luxon';
import { addBusinessTime, businessTimeBetween, type CalendarDefinition, WEEKDAYS } from '../../domain/calendar';

// domain/calendar.ts walks whole days and remembers each zone's offset per day. These tests hold it to luxon asked
// afresh for every wall-clock bound, in zones whose rules are unusual: half-hour DST, changes at midnight, offsets
// of +14 and −11, quarter-hour offsets, and a zone that skipped a whole day.

const HOUR = 3600;

/** Working intervals of one local date straight from luxon: [start, end) in epoch ms, empty intervals dropped. */
function oracleIntervals(calendar: CalendarDefinition, date: DateTime): [number, number][] {
  const isoDate = date.toISODate()!;
  if (calendar.holidays.includes(isoDate)) return [];
  const intervals = calendar.weekly[WEEKDAYS[date.weekday - 1]] ?? [];
  const at = (clock: string) => {
    const [hour, minute] = clock.split(':').map(Number);
    const day = hour === 24 ? date.plus({ days: 1 }) : date;
    return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: hour % 24, minute }, { zone: calendar.timeZone }).toMillis();
  };
  return intervals.map(([start, end]): [number, number] => [at(start), at(end)]).filter(([start, end]) => end > start);
}

function oracleBetween(calendar: CalendarDefinition, aMs: number, bMs: number): number {
  const localDate = (t: number) => {
    const local = DateTime.fromMillis(t, { zone: calendar.timeZone });
    return DateTime.utc(local.year, local.month, local.day);
  };
  let businessMs = 0;
  for (let date = localDate(aMs); date <= localDate(bMs); date = date.plus({ days: 1 })) {
    for (const [start, end] of oracleIntervals(calendar, date)) businessMs += Math.max(0, Math.min(end, bMs) - Math.max(start, aMs));
  }
  return businessMs / 1000;
}

function calendarIn(timeZone: string, intervals: [string, string][]): CalendarDefinition {
  return { timeZone, alwaysOpen: false, weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, intervals])), holidays: ['2026-12-25'], extraWorkingDays: [] };
}

const ZONES = [
  'Australia/Lord_Howe', // DST of 30 minutes, at 02:00
  'America/Santiago', // changes at midnight, so 00:00 is skipped or repeated
  'Asia/Beirut', // changes at midnight
  'Pacific/Kiritimati', // UTC+14
  'Pacific/Pago_Pago', // UTC−11
  'Pacific/Chatham', // UTC+12:45 / +13:45
  'America/St_Johns', // UTC−3:30 with DST
  'Europe/London',
];

describe('business calendar against luxon, day by day', () => {
  it.each(ZONES)('%s: business time between instants across a year equals luxon day by day', (zone) => {
    for (const intervals of [[['00:00', '24:00']], [['01:30', '02:45'], ['09:00', '17:30'], ['23:00', '24:00']]] as [string, string][][]) {
      const calendar = calendarIn(zone, intervals);
      // Two instants in every fortnight of 2026, each spanning 13 days, so every transition of the year lies inside one.
      for (let start = Date.parse('2026-01-01T05:17:00Z'); start < Date.parse('2027-01-01T00:00:00Z'); start += 7 * 86_400_000 + 3_600_000) {
        const end = start + 13 * 86_400_000;
        expect(businessTimeBetween(calendar, start, end)).toBe(oracleBetween(calendar, start, end));
      }
    }
  });

  it.each(ZONES)('%s: a deadline lands where luxon counts the same business time', (zone) => {
    const calendar = calendarIn(zone, [['08:00', '12:00'], ['13:00', '18:00']]);
    for (let start = Date.parse('2026-01-03T11:00:00Z'); start < Date.parse('2027-01-01T00:00:00Z'); start += 5 * 86_400_000 + 7 * 3_600_000) {
      const due = addBusinessTime(calendar, start, 20 * HOUR);
      expect(oracleBetween(calendar, start, due)).toBe(20 * HOUR);
      // The deadline is the first instant that has used up the duration, not a later one.
      expect(oracleBetween(calendar, start, due - 1000)).toBeLessThan(20 * HOUR);
    }
  });

  it('Samoa skipped 30 December 2011: no business time on a day that did not happen', () => {
    const apia = calendarIn('Pacific/Apia', [['00:00', '24:00']]);
    const start = Date.parse('2011-12-28T00:00:00Z');
    const end = Date.parse('2012-01-03T00:00:00Z');
    expect(businessTimeBetween(apia, start, end)).toBe(oracleBetween(apia, start, end));
    expect(businessTimeBetween(apia, start, end)).toBe((end - start) / 1000);
  });
});
