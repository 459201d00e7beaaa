import { z } from 'zod';
import { PRIORITIES } from '../../domain/priority';
import '../openapi';

const seconds = z.number().int().positive().max(366 * 86_400);
const target = z.union([
  z.enum(['assignee', 'groupLead', 'serviceOwner', 'requester']),
  z.strictObject({ userEmail: z.email() }),
  z.strictObject({ userId: z.uuid() }),
]);

export const EscalationLevelSchema = z
  .strictObject({
    level: z.number().int().min(1).max(10),
    atFraction: z.number().positive().max(10).openapi({ description: 'fraction of the resolution target elapsed (1 = at breach)' }),
    notify: z.array(target).min(1),
    reassignToGroupId: z.uuid().optional(),
  })
  .openapi('EscalationLevel');

export const SlaPolicyFields = {
  calendarId: z.uuid(),
  responseTargetSeconds: seconds,
  resolutionTargetSeconds: seconds,
  warningThresholds: z
    .array(z.number().gt(0).lt(1))
    .max(10)
    .refine((values) => new Set(values).size === values.length, 'thresholds must be distinct'),
  escalationChain: z
    .array(EscalationLevelSchema)
    .max(10)
    .refine((levels) => new Set(levels.map((l) => l.level)).size === levels.length, 'levels must be distinct'),
  progressUpdateEverySeconds: seconds.nullable(),
  autoCloseAfterSeconds: z.number().int().min(0).max(366 * 86_400),
  reopenWindowSeconds: z.number().int().min(0).max(366 * 86_400),
  holdNotificationsOutsideHours: z.boolean(),
};

export const SlaPolicyUpdate = z
  .strictObject(Object.fromEntries(Object.entries(SlaPolicyFields).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof typeof SlaPolicyFields]: z.ZodOptional<(typeof SlaPolicyFields)[K]> })
  .openapi('SlaPolicyUpdate');

export const SlaPolicySchema = z
  .object({ id: z.uuid(), serviceId: z.uuid(), priority: z.enum(PRIORITIES), ...SlaPolicyFields, updatedAt: z.iso.datetime() })
  .openapi('SlaPolicy');

export const SlaPolicyIdParams = z.strictObject({ id: z.uuid('must be an SLA policy id (UUID)') });
export const SlaPolicyListQuery = z.strictObject({ serviceId: z.uuid().optional() });
