import type { CalendarDefinition, Weekday, WorkingInterval } from '../domain/calendar';
import { holidayCoverage, type CoverageFacts } from '../domain/holiday-coverage';
import { expandHolidayPresets } from '../domain/holiday-presets';
import type { BusinessCalendar } from '../prisma/generated/client';

const merged = (...lists: string[][]) => [...new Set(lists.flat())].sort();

/**
 * A stored calendar as the pure calendar maths needs it: preset holidays (e.g. "GB") expanded into dates for
 * the years around `aroundMs`, merged with the explicit ones and those its package, feed and uploaded sources gave
 * at their last good read. Workflows receive this, never the preset library, so a running clock keeps the days it
 * started with.
 */
export function calendarFromRecord(record: BusinessCalendar, aroundMs: number): CalendarDefinition {
  const year = new Date(aroundMs).getUTCFullYear();
  const years = [year - 1, year, year + 1, year + 2];
  const presetDays = record.holidayPresets.length ? expandHolidayPresets(record.holidayPresets, years) : [];
  // A package source holds every year it knows (chinese-days: 2004 on); every SLA policy load carries the calendar
  // into a workflow's history, so source days are kept for the same years as the presets.
  const inYears = (days: string[]) => days.filter((day) => years.includes(Number(day.slice(0, 4))));
  return {
    timeZone: record.timeZone,
    alwaysOpen: record.alwaysOpen,
    weekly: record.weekly as Partial<Record<Weekday, WorkingInterval[]>>,
    holidays: merged(record.holidays, inYears(record.sourceHolidays), presetDays),
    extraWorkingDays: merged(record.extraWorkingDays, inYears(record.sourceWorkingDays)),
  };
}

export function coverageFacts(record: BusinessCalendar): CoverageFacts {
  return { alwaysOpen: record.alwaysOpen, holidayPresets: record.holidayPresets, holidays: merged(record.holidays, record.sourceHolidays) };
}

export const calendarCoverage = (record: BusinessCalendar) => holidayCoverage(coverageFacts(record));
