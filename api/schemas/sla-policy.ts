import { z } from 'zod';
import { PRIORITIES } from '../../domain/priority';
import '../openapi';

const seconds = z.number().int().positive().max(366 * 86_400);
const target = z
  .union([
    z.enum(['assignee', 'group', 'groupLead', 'serviceOwner', 'requester']),
    z.strictObject({ userEmail: z.email() }),
    z.strictObject({ userId: z.uuid() }),
    z.strictObject({ groupId: z.uuid() }),
  ])
  .openapi({ description: "a role ('assignee' is the group while nobody has taken the incident; 'group' is its address, else its members), a person, or any group" });

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
  unassignedAlertSeconds: seconds.nullable().openapi({ description: 'business seconds after which an incident nobody has taken alerts its group lead (once); null: never' }),
};

const reason = z.string().trim().min(3, 'say why, in at least 3 characters').max(2_000);
const DEFAULTS = { warningThresholds: [0.5, 0.75, 0.9], escalationChain: [], progressUpdateEverySeconds: null, autoCloseAfterSeconds: 259_200, reopenWindowSeconds: 1_209_600, holdNotificationsOutsideHours: false, unassignedAlertSeconds: null };

export const SlaPolicyCreate = z
  .strictObject({
    serviceId: z.uuid('must be a service id (UUID)'),
    priority: z.enum(PRIORITIES),
    calendarId: SlaPolicyFields.calendarId,
    responseTargetSeconds: SlaPolicyFields.responseTargetSeconds,
    resolutionTargetSeconds: SlaPolicyFields.resolutionTargetSeconds,
    warningThresholds: SlaPolicyFields.warningThresholds.default(DEFAULTS.warningThresholds),
    escalationChain: SlaPolicyFields.escalationChain.default(DEFAULTS.escalationChain),
    progressUpdateEverySeconds: SlaPolicyFields.progressUpdateEverySeconds.default(DEFAULTS.progressUpdateEverySeconds),
    autoCloseAfterSeconds: SlaPolicyFields.autoCloseAfterSeconds.default(DEFAULTS.autoCloseAfterSeconds),
    reopenWindowSeconds: SlaPolicyFields.reopenWindowSeconds.default(DEFAULTS.reopenWindowSeconds),
    holdNotificationsOutsideHours: SlaPolicyFields.holdNotificationsOutsideHours.default(DEFAULTS.holdNotificationsOutsideHours),
    unassignedAlertSeconds: SlaPolicyFields.unassignedAlertSeconds.default(DEFAULTS.unassignedAlertSeconds),
    reason: reason.default('created'),
  })
  .refine((body) => body.responseTargetSeconds <= body.resolutionTargetSeconds, { message: 'the response target cannot be longer than the resolution target', path: ['responseTargetSeconds'] })
  .openapi('SlaPolicyCreate');

export const SlaPolicyUpdate = z
  .strictObject({
    ...(Object.fromEntries(Object.entries(SlaPolicyFields).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof typeof SlaPolicyFields]: z.ZodOptional<(typeof SlaPolicyFields)[K]> }),
    reason: reason.openapi({ description: 'why the policy changes; kept with the new version' }),
  })
  .openapi('SlaPolicyUpdate');

export const SlaPolicySchema = z
  .object({ id: z.uuid(), serviceId: z.uuid(), priority: z.enum(PRIORITIES), ...SlaPolicyFields, version: z.number().int(), updatedAt: z.iso.datetime() })
  .openapi('SlaPolicy');

export const SlaPolicyVersionSchema = z
  .object({
    version: z.number().int(),
    settings: z.object(SlaPolicyFields),
    changedBy: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
    changedAt: z.iso.datetime(),
    reason: z.string(),
  })
  .openapi('SlaPolicyVersion');

export const SlaPolicyIdParams = z.strictObject({ id: z.uuid('must be an SLA policy id (UUID)') });
export const SlaPolicyListQuery = z.strictObject({ serviceId: z.uuid().optional() });
