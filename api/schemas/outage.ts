import { z } from 'zod';
import '../openapi';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-12-05T10:00:00+08:00' });
// A year of agreed hours is the longest period a report or a dashboard asks for; longer would only cost time.
const MAX_PERIOD_DAYS = 366;

export const OutageSchema = z
  .object({
    id: z.uuid(),
    serviceId: z.uuid(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable().openapi({ description: 'null while the service is still out' }),
    planned: z.boolean().openapi({ description: 'announced downtime (a change that declares it): left out of the agreed hours' }),
    source: z.enum(['incident', 'change', 'manager']).openapi({ description: 'what opened it: a major incident, a change that declares downtime, or a manager' }),
    incidentId: z.uuid().nullable(),
    changeId: z.uuid().nullable(),
    description: z.string(),
    correctedAt: z.iso.datetime().nullable(),
    correctedById: z.uuid().nullable(),
    correctionReason: z.string().nullable(),
  })
  .openapi('Outage');

export const OutageIdParams = z.strictObject({ id: z.uuid('must be an outage id (UUID)') });

export const ListOutagesQuery = z.strictObject({
  from: instant.optional().openapi({ description: 'outages that end after this instant (or are still open)' }),
  to: instant.optional().openapi({ description: 'outages that start before this instant' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const endAfterStart = <T extends { startedAt?: string; endedAt?: string | null }>(value: T, ctx: z.core.$RefinementCtx<T>) => {
  if (value.startedAt && value.endedAt && Date.parse(value.endedAt) <= Date.parse(value.startedAt)) {
    ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'must be after startedAt' });
  }
};

export const CreateOutageBody = z
  .strictObject({
    startedAt: instant,
    endedAt: instant.nullable().default(null).openapi({ description: 'null: the service is still out' }),
    planned: z.boolean().openapi({ description: 'announced downtime, left out of the agreed hours' }),
    description: z.string().trim().min(3, 'must be at least 3 characters').max(2_000, 'must be at most 2000 characters'),
    incidentId: z.uuid('must be an incident id (UUID)').optional(),
    changeId: z.uuid('must be a change id (UUID)').optional(),
  })
  .superRefine(endAfterStart)
  .openapi('CreateOutage');

export const UpdateOutageBody = z
  .strictObject({
    startedAt: instant.optional(),
    endedAt: instant.nullable().optional().openapi({ description: 'null opens it again' }),
    planned: z.boolean().optional(),
    description: z.string().trim().min(3, 'must be at least 3 characters').max(2_000, 'must be at most 2000 characters').optional(),
    reason: z.string().trim().min(3, 'say why the record is corrected (at least 3 characters)').max(1_000, 'must be at most 1000 characters'),
  })
  .superRefine(endAfterStart)
  .refine((body) => Object.keys(body).some((key) => key !== 'reason'), { message: 'name at least one field to correct', path: ['startedAt'] })
  .openapi('UpdateOutage');

export const AvailabilityQuery = z
  .strictObject({ from: instant, to: instant })
  .superRefine((value, ctx) => {
    const days = (Date.parse(value.to) - Date.parse(value.from)) / 86_400_000;
    if (days <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (days > MAX_PERIOD_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_PERIOD_DAYS} days after from` });
  });

export const AvailabilitySchema = z
  .object({
    serviceId: z.uuid(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    measuredUntil: z.iso.datetime().openapi({ description: 'to, or now when the period is still running: hours to come are not counted' }),
    serviceHoursCalendarId: z.uuid().nullable().openapi({ description: "the service's agreed hours; null: 24x7" }),
    agreedSeconds: z.number(),
    plannedDowntimeSeconds: z.number(),
    unplannedDowntimeSeconds: z.number(),
    availabilityPercent: z.number().nullable().openapi({ description: '(agreed − planned − unplanned) / (agreed − planned), one decimal; null when no hours were agreed' }),
    targetPercent: z.number().nullable(),
    targetMet: z.boolean().nullable().openapi({ description: 'null without a target or a figure' }),
  })
  .openapi('Availability');
