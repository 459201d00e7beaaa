import { z } from 'zod';
import { WEEKDAYS } from '../../domain/calendar';
import '../openapi';

const localDate = z.iso.date('must be a date YYYY-MM-DD');
const interval = z.tuple([z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM'), z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM')]);

const presetCode = z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be a country code such as GB or DE-BY');
const weeklyIntervals = z.partialRecord(z.enum(WEEKDAYS), z.array(interval).max(8)).openapi({ example: { mon: [['09:00', '12:00'], ['13:30', '18:00']] } });

// The holiday sources a calendar may mix; the create body gives them defaults, a change leaves out what stays.
const sourceFields = {
  holidays: z.array(localDate).max(1_000),
  holidayPresets: z.array(presetCode).max(10),
  extraWorkingDays: z.array(localDate).max(366),
  chineseDays: z.boolean().openapi({ description: "China's official holidays and make-up working days from the chinese-days package, every year it knows" }),
  ics: z.string().min(1).max(900_000).openapi({ description: 'An uploaded iCalendar (.ics) file: all-day events are holidays, those marked X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY working days' }),
  ownerId: z.uuid('must be a user id (UUID)').openapi({ description: 'Told when the calendar has no holidays for the coming year (default: whoever creates it)' }),
};
const feedUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL of an iCalendar feed' }).max(2_000);

export const CalendarBody = z
  .strictObject({
    name: z.string().trim().min(2).max(100),
    timeZone: z.string().min(1).openapi({ example: 'Europe/London' }),
    weekly: weeklyIntervals.default({}),
    alwaysOpen: z.boolean().default(false),
    holidays: sourceFields.holidays.default([]),
    holidayPresets: sourceFields.holidayPresets.default([]),
    extraWorkingDays: sourceFields.extraWorkingDays.default([]),
    chineseDays: sourceFields.chineseDays.default(false),
    feedUrl: feedUrl.optional().openapi({ description: 'An iCalendar feed re-read daily (GET /api/calendars shows its origin only)' }),
    ics: sourceFields.ics.optional(),
    ownerId: sourceFields.ownerId.optional(),
  })
  .openapi('CalendarInput');

export const CalendarChangeBody = z
  .strictObject({ ...sourceFields, feedUrl: feedUrl.nullable().openapi({ description: 'null takes the feed and its days off the calendar' }) })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'name at least one source to change')
  .openapi('CalendarChange');

const SourceSchema = z.object({
  kind: z.enum(['chinese-days', 'feed', 'ics']),
  holidays: z.number().int(),
  workingDays: z.number().int(),
  refreshedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.iso.datetime().nullable(),
});

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
    chineseDays: z.boolean(),
    feed: z.string().nullable().openapi({ description: "The feed's origin; its full address may carry a secret" }),
    ownerId: z.uuid().nullable(),
    sources: z.array(SourceSchema).openapi({ description: 'Each package, feed or uploaded source: how many days its last good read gave, and its last error' }),
    coveredUntil: z.iso.date().nullable().openapi({ description: 'Last day of the last year with holiday data; null when covered indefinitely (24x7 or a preset) or not at all' }),
    coveredIndefinitely: z.boolean(),
  })
  .openapi('Calendar');

export const CalendarChangeSchema = z
  .object({ source: z.string(), date: z.iso.date(), dayKind: z.enum(['holiday', 'working day']), change: z.enum(['added', 'removed']), recordedAt: z.iso.datetime() })
  .openapi('CalendarHistoryEntry');

export const CalendarIdParams = z.strictObject({ id: z.uuid('must be a calendar id (UUID)') });
export const DueQuery = z.strictObject({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-03-06T17:30:00+08:00' }),
  duration: z.string().openapi({ example: 'PT8H', description: 'ISO 8601 duration of business time (a day counts 24 hours)' }),
});
export const BetweenQuery = z.strictObject({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' }),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' }),
});
