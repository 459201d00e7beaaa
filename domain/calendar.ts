import { DateTime, IANAZone } from 'luxon';

// Business-time arithmetic for SLA clocks. Workflows import this module, so it stays pure and deterministic and
// depends on luxon only. Working hours are local wall-clock times: every local date is turned into instants on its
// own, which is what keeps a 09:00-17:00 day at 09:00-17:00 across DST changes.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "HH:MM" local wall-clock times; end may be "24:00". */
export type WorkingInterval = [string, string];

export interface CalendarDefinition {
  /** IANA zone, e.g. 'Asia/Shanghai'. */
  timeZone: string;
  /** 24x7: every instant is business time (weekly and holidays are ignored). */
  alwaysOpen: boolean;
  /** Several intervals per day are allowed, e.g. [['09:00','12:00'],['13:30','18:00']]. */
  weekly: Partial<Record<Weekday, WorkingInterval[]>>;
  /** 'YYYY-MM-DD' local dates with no business time (presets already expanded into this list by the caller). */
  holidays: string[];
  /**
   * 'YYYY-MM-DD' local dates that are working days even if weekly has none for that weekday (China's make-up
   * Saturdays/Sundays, 调休). They use the schedule of the first weekday mon..fri that has intervals.
   */
  extraWorkingDays: string[];
}

export const ALWAYS_OPEN: CalendarDefinition = {
  timeZone: 'UTC',
  alwaysOpen: true,
  weekly: {},
  holidays: [],
  extraWorkingDays: [],
};

const MINUTES_PER_HOUR = 60;
const MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = MINUTES_PER_DAY * MS_PER_MINUTE;
// A calendar that has found no working interval for this long never will; fail instead of looping forever.
const MAX_IDLE_DAYS = 4 * 366;

/** [start, end) in minutes after local midnight; end may be MINUTES_PER_DAY ("24:00"). */
type ClockInterval = readonly [number, number];
/** [start, end) in epoch ms. */
type Interval = readonly [number, number];
/**
 * A local calendar date as whole days since 1970-01-01: the SLA loop walks working days, and integer days spare it
 * a date object per step.
 */
type LocalDay = number;

interface Schedule {
  zone: IANAZone;
  weekly: Record<Weekday, ClockInterval[]>;
  makeUpDay: ClockInterval[];
  holidays: ReadonlySet<LocalDay>;
  extraWorkingDays: ReadonlySet<LocalDay>;
}

/** The instant reached after `durationSeconds` of business time counted from `start`. */
export function addBusinessTime(calendar: CalendarDefinition, startMs: number, durationSeconds: number): number {
  if (durationSeconds <= 0) return startMs;
  if (calendar.alwaysOpen) return startMs + durationSeconds * 1000;
  const intervals = workingIntervalsFrom(scheduleOf(calendar), startMs);
  let remainingMs = durationSeconds * 1000;
  for (;;) {
    const [start, end] = intervals.next().value;
    // `<=` so that a duration used up exactly at the end of an interval ends there, not at the next opening.
    if (remainingMs <= end - start) return start + remainingMs;
    remainingMs -= end - start;
  }
}

/** Business seconds in [aMs, bMs); negative when b < a. */
export function businessTimeBetween(calendar: CalendarDefinition, aMs: number, bMs: number): number {
  if (bMs < aMs) return -businessTimeBetween(calendar, bMs, aMs);
  if (calendar.alwaysOpen) return (bMs - aMs) / 1000;
  const schedule = scheduleOf(calendar);
  const lastDay = localDayOf(schedule.zone, bMs);
  let businessMs = 0;
  for (let day = localDayOf(schedule.zone, aMs); day <= lastDay; day++) {
    for (const [start, end] of workingIntervalsOn(schedule, day)) {
      businessMs += Math.max(0, Math.min(end, bMs) - Math.max(start, aMs));
    }
  }
  return businessMs / 1000;
}

/** t itself if t is inside a working interval (start <= t < end), else the start of the next working interval. */
export function nextBusinessInstant(calendar: CalendarDefinition, tMs: number): number {
  if (calendar.alwaysOpen) return tMs;
  return workingIntervalsFrom(scheduleOf(calendar), tMs).next().value[0];
}

export function isBusinessInstant(calendar: CalendarDefinition, tMs: number): boolean {
  if (calendar.alwaysOpen) return true;
  const schedule = scheduleOf(calendar);
  return workingIntervalsOn(schedule, localDayOf(schedule.zone, tMs)).some(([start, end]) => start <= tMs && tMs < end);
}

/** Validation for user input: human-readable problems, empty when the calendar is usable. */
export function calendarProblems(calendar: CalendarDefinition): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!IANAZone.isValidZone(calendar.timeZone)) {
    problems.push({ field: 'timeZone', message: `unknown time zone "${calendar.timeZone}"` });
  }
  for (const [day, intervals] of Object.entries(calendar.weekly)) {
    if (!isWeekday(day)) problems.push({ field: `weekly.${day}`, message: `unknown weekday "${day}"` });
    else problems.push(...dayProblems(day, intervals ?? []));
  }
  problems.push(...dateProblems('holidays', calendar.holidays));
  problems.push(...dateProblems('extraWorkingDays', calendar.extraWorkingDays));
  if (!calendar.alwaysOpen && !WEEKDAYS.some((day) => (calendar.weekly[day] ?? []).length > 0)) {
    problems.push({ field: 'weekly', message: 'a calendar that is not 24x7 needs at least one working interval' });
  }
  return problems;
}

function dayProblems(day: Weekday, intervals: WorkingInterval[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const parsed: { index: number; interval: ClockInterval }[] = [];
  intervals.forEach(([startText, endText], index) => {
    const field = `weekly.${day}.${index}`;
    const start = parseClock(startText, false);
    const end = parseClock(endText, true);
    if (start === undefined) problems.push({ field, message: `start "${startText}" is not an HH:MM time` });
    if (end === undefined) problems.push({ field, message: `end "${endText}" is not an HH:MM time or 24:00` });
    if (start === undefined || end === undefined) return;
    if (end <= start) problems.push({ field, message: `end ${endText} is not after start ${startText}` });
    else parsed.push({ index, interval: [start, end] });
  });
  parsed.sort((x, y) => x.interval[0] - y.interval[0]);
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i].interval[0] < parsed[i - 1].interval[1]) {
      problems.push({
        field: `weekly.${day}.${parsed[i].index}`,
        message: `overlaps weekly.${day}.${parsed[i - 1].index}`,
      });
    }
  }
  return problems;
}

function dateProblems(field: string, dates: string[]): { field: string; message: string }[] {
  return dates.flatMap((date, index) =>
    isIsoDate(date) ? [] : [{ field: `${field}.${index}`, message: `"${date}" is not a YYYY-MM-DD date` }],
  );
}

// The SLA loop asks the same calendar object for many instants; validating and parsing it once per object keeps
// that off the hot path. Keyed weakly, so calendars that are no longer used are not held.
const schedules = new WeakMap<CalendarDefinition, Schedule>();

function scheduleOf(calendar: CalendarDefinition): Schedule {
  let schedule = schedules.get(calendar);
  if (!schedule) {
    schedule = parseSchedule(calendar);
    schedules.set(calendar, schedule);
  }
  return schedule;
}

function parseSchedule(calendar: CalendarDefinition): Schedule {
  const problems = calendarProblems(calendar);
  if (problems.length > 0) {
    throw new Error(`invalid business calendar: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
  const weekly = Object.fromEntries(
    WEEKDAYS.map((day) => [day, clockIntervals(calendar.weekly[day] ?? [])]),
  ) as Record<Weekday, ClockInterval[]>;
  const makeUpWeekday = WEEKDAYS.slice(0, 5).find((day) => weekly[day].length > 0);
  return {
    zone: IANAZone.create(calendar.timeZone),
    weekly,
    makeUpDay: makeUpWeekday ? weekly[makeUpWeekday] : [],
    holidays: new Set(calendar.holidays.map(dayOfIsoDate)),
    extraWorkingDays: new Set(calendar.extraWorkingDays.map(dayOfIsoDate)),
  };
}

/** Only called on validated calendars, so every bound parses. */
function clockIntervals(intervals: WorkingInterval[]): ClockInterval[] {
  return intervals
    .map(([start, end]): ClockInterval => [parseClock(start, false)!, parseClock(end, true)!])
    .sort((x, y) => x[0] - y[0]);
}

/**
 * Working intervals from tMs onwards, in order, clipped so none starts before tMs. Never finishes: it throws once
 * MAX_IDLE_DAYS local dates in a row have had no working time.
 */
function* workingIntervalsFrom(schedule: Schedule, tMs: number): Generator<Interval, never> {
  let idleDays = 0;
  for (let day = localDayOf(schedule.zone, tMs); ; day++) {
    const intervals = workingIntervalsOn(schedule, day).filter(([, end]) => end > tMs);
    idleDays = intervals.length > 0 ? 0 : idleDays + 1;
    if (idleDays > MAX_IDLE_DAYS) {
      throw new Error(`business calendar has no working time in the ${MAX_IDLE_DAYS} days before ${isoDateOf(day)}`);
    }
    for (const [start, end] of intervals) yield [Math.max(start, tMs), end];
  }
}

/** The result is in instants of the schedule's zone. */
function workingIntervalsOn(schedule: Schedule, day: LocalDay): Interval[] {
  return clockIntervalsOn(schedule, day)
    .map(([start, end]): Interval => [wallClockInstant(schedule.zone, day, start), wallClockInstant(schedule.zone, day, end)])
    // A bound inside a spring-forward gap is moved past the gap, which can leave an interval empty.
    .filter(([start, end]) => end > start);
}

function clockIntervalsOn(schedule: Schedule, day: LocalDay): ClockInterval[] {
  if (schedule.holidays.has(day)) return [];
  if (schedule.extraWorkingDays.has(day)) return schedule.makeUpDay;
  // Day 0, 1970-01-01, was a Thursday.
  return schedule.weekly[WEEKDAYS[(((day + 3) % 7) + 7) % 7]];
}

function wallClockInstant(zone: IANAZone, day: LocalDay, minuteOfDay: number): number {
  const localMs = day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  const offset = steadyOffset(zone, day);
  if (offset !== null) return localMs - offset * MS_PER_MINUTE;
  // The zone changes its offset around this day: luxon resolves gaps and repeated hours as it always has here.
  const date = DateTime.fromMillis(localMs, { zone: 'utc' });
  return DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour: date.hour, minute: date.minute }, { zone }).toMillis();
}

// Each offset is an Intl call, microseconds each, and every activation of every incident on a calendar walks the
// same working days again. An offset depends only on the zone and the instant (the zone rules do not change while
// a process runs), so remembering it changes no deadline and keeps replays deterministic. Cleared when full
// rather than evicted one by one: refilling costs one activation's work.
const steadyOffsets = new Map<string, number | null>();
const STEADY_OFFSETS_KEPT = 50_000;
// Wide enough that every wall-clock time of the local day, and 24:00, lies between the two probes in any zone.
const PROBE_BEFORE_MS = 14 * 60 * MS_PER_MINUTE;
const PROBE_AFTER_MS = MS_PER_DAY + 14 * 60 * MS_PER_MINUTE;

/** The zone's offset in minutes throughout the local day, or null when it changes around that day. */
function steadyOffset(zone: IANAZone, day: LocalDay): number | null {
  const key = `${zone.name} ${day}`;
  let offset = steadyOffsets.get(key);
  if (offset === undefined) {
    const before = zone.offset(day * MS_PER_DAY - PROBE_BEFORE_MS);
    offset = before === zone.offset(day * MS_PER_DAY + PROBE_AFTER_MS) ? before : null;
    if (steadyOffsets.size >= STEADY_OFFSETS_KEPT) steadyOffsets.clear();
    steadyOffsets.set(key, offset);
  }
  return offset;
}

function localDayOf(zone: IANAZone, tMs: number): LocalDay {
  // The local day is the UTC day or one beside it; a steady day whose offset puts tMs inside it is the answer.
  const utcDay = Math.floor(tMs / MS_PER_DAY);
  for (const day of [utcDay - 1, utcDay, utcDay + 1]) {
    const offset = steadyOffset(zone, day);
    if (offset !== null && Math.floor((tMs + offset * MS_PER_MINUTE) / MS_PER_DAY) === day) return day;
  }
  return Math.floor((tMs + zone.offset(tMs) * MS_PER_MINUTE) / MS_PER_DAY);
}

function dayOfIsoDate(isoDate: string): LocalDay {
  return Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY;
}

function isoDateOf(day: LocalDay): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function parseClock(text: string, isEnd: boolean): number | undefined {
  if (isEnd && text === '24:00') return MINUTES_PER_DAY;
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * MINUTES_PER_HOUR + minutes : undefined;
}

function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match !== null && DateTime.utc(Number(match[1]), Number(match[2]), Number(match[3])).isValid;
}

function isWeekday(day: string): day is Weekday {
  return (WEEKDAYS as readonly string[]).includes(day);
}
