import type { CalendarDefinition, Weekday, WorkingInterval } from '../domain/calendar';
import { expandHolidayPresets } from '../domain/holiday-presets';
import type { BusinessCalendar } from '../prisma/generated/client';

/**
 * A stored calendar as the pure calendar maths needs it: preset holidays (e.g. "GB") expanded into dates for
 * the years around `aroundMs`, merged with the explicit ones. Workflows receive this, never the preset library.
 */
export function calendarFromRecord(record: BusinessCalendar, aroundMs: number): CalendarDefinition {
  const year = new Date(aroundMs).getUTCFullYear();
  const presetDays = record.holidayPresets.length ? expandHolidayPresets(record.holidayPresets, [year - 1, year, year + 1, year + 2]) : [];
  return {
    timeZone: record.timeZone,
    alwaysOpen: record.alwaysOpen,
    weekly: record.weekly as Partial<Record<Weekday, WorkingInterval[]>>,
    holidays: [...new Set([...record.holidays, ...presetDays])].sort(),
    extraWorkingDays: record.extraWorkingDays,
  };
}
