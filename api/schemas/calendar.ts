import { z } from 'zod';
import { WEEKDAYS } from '../../domain/calendar';
import '../openapi';

const localDate = z.iso.date('must be a date YYYY-MM-DD');
const interval = z.tuple([z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM'), z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM')]);

export const CalendarBody = z
  .strictObject({
    name: z.string().trim().min(2).max(100),
    timeZone: z.string().min(1).openapi({ example: 'Europe/London' }),
    weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(interval).max(8)).default({}).openapi({ example: { mon: [['09:00', '12:00'], ['13:30', '18:00']] } }),
    alwaysOpen: z.boolean().default(false),
    holidays: z.array(localDate).max(1_000).default([]),
    holidayPresets: z.array(z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be a country code such as GB or DE-BY')).max(10).default([]),
    extraWorkingDays: z.array(localDate).max(366).default([]),
  })
  .openapi('CalendarInput');

export const CalendarSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    timeZone: z.string(),
    weekly: z.record(z.string(), z.array(interval)),
    alwaysOpen: z.boolean(),
    holidays: z.array(z.string()),
    holidayPresets: z.array(z.string()),
    extraWorkingDays: z.array(z.string()),
  })
  .openapi('Calendar');

export const CalendarIdParams = z.strictObject({ id: z.uuid('must be a calendar id (UUID)') });
export const DueQuery = z.strictObject({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-03-06T17:30:00+08:00' }),
  duration: z.string().openapi({ example: 'PT8H', description: 'ISO 8601 duration of business time (a day counts 24 hours)' }),
});
export const BetweenQuery = z.strictObject({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' }),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' }),
});
