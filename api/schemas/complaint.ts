import { z } from 'zod';
import { COMPLAINT_OUTCOMES, COMPLAINT_SEVERITIES, COMPLAINT_STATES } from '../../domain/complaint';
import '../openapi';
import { boundedText } from './fields';

const seconds = z.number().int().min(1).max(366 * 86_400);

export const ComplaintIdParams = z.strictObject({ id: z.uuid('must be a complaint id (UUID)') });
export const SeverityParams = z.strictObject({ severity: z.enum(COMPLAINT_SEVERITIES) });

export const CreateComplaintBody = z
  .strictObject({
    subject: boundedText('the subject', 3, 200),
    description: boundedText('the description', 10, 20_000),
    severity: z.enum(COMPLAINT_SEVERITIES).default('standard'),
    serviceId: z.uuid('must be a service id (UUID)').optional(),
    incidentId: z.uuid('must be an incident id (UUID)').optional().openapi({ description: 'the incident complained about; its service is used when none is given' }),
    complainantId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'staff logging a complaint for a customer; defaults to the caller' }),
    handlerId: z.uuid('must be a user id (UUID)').optional().openapi({ description: "staff only; defaults to the service's owner, then to the managers" }),
  })
  .openapi('CreateComplaint');

export const ListComplaintsQuery = z.strictObject({
  state: z.enum(COMPLAINT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const AssignComplaintBody = z.strictObject({ handlerId: z.uuid('must be a user id (UUID)') });
export const CloseComplaintBody = z
  .strictObject({
    outcome: z.enum(COMPLAINT_OUTCOMES),
    resolution: boundedText('the resolution', 10, 20_000).openapi({ description: 'what was found and done; mailed to the complainant' }),
  })
  .openapi('CloseComplaint');

export const ComplaintPolicySchema = z
  .object({ severity: z.enum(COMPLAINT_SEVERITIES), targetSeconds: z.number().int(), remindBeforeSeconds: z.array(z.number().int()), escalateAfterSeconds: z.number().int() })
  .openapi('ComplaintPolicy');
export const PutComplaintPolicyBody = z
  .strictObject({ targetSeconds: seconds, remindBeforeSeconds: z.array(seconds).max(10), escalateAfterSeconds: seconds })
  .refine((policy) => policy.remindBeforeSeconds.every((s) => s < policy.targetSeconds), { path: ['remindBeforeSeconds'], message: 'each reminder must come before the target (less than targetSeconds)' });

export const ComplaintStatusSchema = z
  .object({ state: z.enum(COMPLAINT_STATES), handlerId: z.uuid().nullable(), dueAt: z.string(), escalationLevel: z.number().int(), outcome: z.enum(COMPLAINT_OUTCOMES).nullable() })
  .openapi('ComplaintStatus');
