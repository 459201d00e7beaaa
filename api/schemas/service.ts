import { z } from 'zod';
import { LEVELS, PRIORITIES, type Level } from '../../domain/priority';
import { queryFlag } from './fields';
import '../openapi';

const priority = z.enum(PRIORITIES);
const urgencyRow = z.strictObject({ high: priority, medium: priority, low: priority });

/**
 * matrix[impact][urgency] -> priority. Every cell must be there, and a cell may not be less urgent than the cell
 * of lower impact or lower urgency beside it: a matrix that ranks a high-impact outage below a minor one would
 * starve the incidents that matter most of SLA time.
 */
export const PriorityMatrixSchema = z
  .strictObject({ high: urgencyRow, medium: urgencyRow, low: urgencyRow })
  .superRefine((matrix, ctx) => {
    LEVELS.forEach((impact, i) =>
      LEVELS.forEach((urgency, u) => {
        const cell = matrix[impact][urgency];
        const lessSevere: [Level, Level][] = [];
        if (i + 1 < LEVELS.length) lessSevere.push([LEVELS[i + 1], urgency]);
        if (u + 1 < LEVELS.length) lessSevere.push([impact, LEVELS[u + 1]]);
        for (const [otherImpact, otherUrgency] of lessSevere) {
          const other = matrix[otherImpact][otherUrgency];
          if (PRIORITIES.indexOf(cell) > PRIORITIES.indexOf(other)) {
            ctx.addIssue({ code: 'custom', path: [impact, urgency], message: `${cell} is less urgent than ${other} for impact ${otherImpact} and urgency ${otherUrgency}` });
          }
        }
      }),
    );
  })
  .openapi('PriorityMatrix', {
    description: 'priority by impact, then urgency; null on a service means the default ITIL matrix',
    example: { high: { high: 'P1', medium: 'P1', low: 'P2' }, medium: { high: 'P2', medium: 'P3', low: 'P4' }, low: { high: 'P3', medium: 'P4', low: 'P4' } },
  });

/** The code names the service in search attributes (ItsmService) and references, so it is fixed once created. */
const serviceCode = z
  .string()
  .trim()
  .regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'must be 2 to 16 capital letters, digits or "-", starting with a letter')
  .openapi({ example: 'PAYROLL' });
const serviceName = z.string().trim().min(2, 'must be at least 2 characters').max(200, 'must be at most 200 characters');
const description = z.string().trim().max(5_000, 'must be at most 5000 characters');
const slaTargetPercent = z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').openapi({
  description: 'the share of incidents that must meet their response and resolution targets',
  example: 95,
});

const mailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('must be an e-mail address'))
  .openapi({ description: 'mail to this address (SMTP listener or IMAP mailbox) opens an incident for the service', example: 'payroll-help@example.org' });
const availabilityTargetPercent = z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').nullable().openapi({
  description: 'the availability the service must reach in each month, in percent of its agreed service hours; null: none agreed',
  example: 99.5,
});
const serviceHoursCalendarId = z.uuid('must be a calendar id (UUID)').nullable().openapi({ description: 'the business calendar of its agreed service hours; null: 24x7' });

export const ServiceSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    description: z.string(),
    ownerId: z.uuid().nullable(),
    defaultGroupId: z.uuid().nullable().openapi({ description: 'where new incidents go when no assignment rule matches' }),
    priorityMatrix: PriorityMatrixSchema.nullable(),
    slaTargetPercent: z.number(),
    mailAddress: z.string().nullable().openapi({ description: 'mail to this address opens an incident for the service' }),
    availabilityTargetPercent: z.number().nullable(),
    serviceHoursCalendarId: z.uuid().nullable(),
    retired: z.boolean(),
    retiredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Service');

export const ServiceIdParams = z.strictObject({ id: z.uuid('must be a service id (UUID)') });
export const ListServicesQuery = z.strictObject({
  retired: queryFlag.optional().openapi({ description: 'true: retired services only; false: services that take incidents' }),
});

export const CreateServiceBody = z
  .strictObject({
    code: serviceCode,
    name: serviceName,
    description: description.default(''),
    ownerId: z.uuid('must be a user id (UUID)').openapi({ description: 'an active user; told at escalation' }),
    defaultGroupId: z.uuid('must be a group id (UUID)').openapi({ description: 'an active group' }),
    priorityMatrix: PriorityMatrixSchema.optional(),
    slaTargetPercent: slaTargetPercent.default(95),
    mailAddress: mailAddress.optional(),
    availabilityTargetPercent: availabilityTargetPercent.default(null),
    serviceHoursCalendarId: serviceHoursCalendarId.default(null),
  })
  .openapi('CreateService');

export const UpdateServiceBody = z
  .strictObject({
    name: serviceName.optional(),
    description: description.optional(),
    ownerId: z.uuid('must be a user id (UUID)').optional(),
    defaultGroupId: z.uuid('must be a group id (UUID)').optional(),
    priorityMatrix: PriorityMatrixSchema.nullable().optional().openapi({ description: 'null returns the service to the default matrix' }),
    slaTargetPercent: slaTargetPercent.optional(),
    mailAddress: mailAddress.nullable().optional().openapi({ description: 'null: mail no longer opens incidents for the service' }),
    availabilityTargetPercent: availabilityTargetPercent.optional(),
    serviceHoursCalendarId: serviceHoursCalendarId.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to change' })
  .openapi('UpdateService');
