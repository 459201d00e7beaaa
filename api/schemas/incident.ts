import { z } from 'zod';
import { INCIDENT_STATES } from '../../domain/incident';
import { LEVELS, PRIORITIES } from '../../domain/priority';
import '../openapi';

const level = z.enum(LEVELS);

export const CreateIncidentBody = z
  .strictObject({
    title: z.string().trim().min(3, 'must be at least 3 characters').max(200, 'must be at most 200 characters'),
    description: z.string().trim().max(20_000, 'must be at most 20000 characters').default(''),
    impact: level,
    urgency: level,
    serviceId: z.uuid('must be a service id (UUID)'),
  })
  .openapi('CreateIncident');

export const IncidentIdParams = z.strictObject({ id: z.uuid('must be an incident id (UUID)') });

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((raw) => raw.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(values)).min(1));

export const ListIncidentsQuery = z.strictObject({
  state: csv(INCIDENT_STATES).optional().openapi({ description: 'comma-separated states', example: 'new,assigned' }),
  priority: csv(PRIORITIES).optional().openapi({ description: 'comma-separated priorities', example: 'P1,P2' }),
  serviceId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().positive().optional().openapi({ description: 'the nextCursor of the previous page' }),
});

export const IncidentSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().openapi({ example: 'INC-000042' }),
    title: z.string(),
    description: z.string(),
    impact: level,
    urgency: level,
    priority: z.enum(PRIORITIES),
    state: z.enum(INCIDENT_STATES),
    major: z.boolean(),
    serviceId: z.uuid(),
    requesterId: z.uuid(),
    assigneeId: z.uuid().nullable(),
    groupId: z.uuid().nullable(),
    workflowId: z.string(),
    responseDueAt: z.iso.datetime().nullable(),
    resolutionDueAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Incident');

export const IncidentPage = z.object({ items: z.array(IncidentSchema), nextCursor: z.number().int().nullable() }).openapi('IncidentPage');
