import { z } from 'zod';
import { INCIDENT_STATES } from '../../domain/incident';
import { LEVELS, PRIORITIES } from '../../domain/priority';
import { INTAKE_CHANNELS } from '../../domain/routing';
import '../openapi';
import { WorkflowLinkSchema } from './workflow-link';

const level = z.enum(LEVELS);

/** A free classification label; routing rules and trend detection match on it exactly. */
export const categoryField = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9 _/-]{0,59}$/, 'a short label: letters, digits, space, _ / -');

export const CreateIncidentBody = z
  .strictObject({
    title: z.string().trim().min(3, 'must be at least 3 characters').max(200, 'must be at most 200 characters'),
    description: z.string().trim().max(20_000, 'must be at most 20000 characters').default(''),
    impact: level,
    urgency: level,
    serviceId: z.uuid('must be a service id (UUID)'),
    category: categoryField.optional(),
    cis: z.array(z.string().trim().min(1).max(100)).max(50).optional().openapi({ description: 'affected configuration items, by code or id' }),
    requesterId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'staff logging an incident on behalf of a requester; default: the caller' }),
    channel: z.enum(INTAKE_CHANNELS).default('api').openapi({ description: 'how the incident reached the service desk' }),
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
    channel: z.enum(INTAKE_CHANNELS),
    loggedById: z.uuid().nullable().openapi({ description: 'the member of staff who logged it for the requester' }),
    slaPolicy: z
      .object({ id: z.uuid(), version: z.number().int() })
      .nullable()
      .openapi({ description: 'the SLA policy version the incident runs on (null until its workflow has opened it)' }),
    workflowId: z.string(),
    responseDueAt: z.iso.datetime().nullable(),
    resolutionDueAt: z.iso.datetime().nullable(),
    category: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Incident');

export const IncidentPage = z.object({ items: z.array(IncidentSchema), nextCursor: z.number().int().nullable() }).openapi('IncidentPage');

const reason = z.string().trim().min(3, 'give a reason of at least 3 characters').max(2_000);

export const AssignBody = z
  .strictObject({ groupId: z.uuid().nullable().optional(), assigneeId: z.uuid().nullable().optional() })
  .refine((body) => body.groupId !== undefined || body.assigneeId !== undefined, { message: 'give groupId, assigneeId or both', path: ['groupId'] })
  .openapi('AssignIncident');
export const EmptyBody = z.strictObject({}).openapi('NoBody');
export const NoteBody = z
  .strictObject({
    body: z.string().trim().min(1, 'must not be empty').max(20_000),
    visibility: z.enum(['public', 'internal']).optional().openapi({ description: 'agents only; customers always write public notes; default internal for agents' }),
  })
  .openapi('IncidentNote');
export const ReasonBody = z.strictObject({ reason }).openapi('Reason');
export const PriorityBody = z
  .strictObject({ impact: level.optional(), urgency: level.optional(), priority: z.enum(PRIORITIES).optional().openapi({ description: 'direct override (managers)' }), reason })
  .refine((body) => body.priority !== undefined || (body.impact !== undefined && body.urgency !== undefined), {
    message: 'give impact and urgency, or a priority',
    path: ['impact'],
  })
  .openapi('ChangePriority');
export const ResolveBody = z
  .strictObject({ code: z.string().trim().min(2).max(60).openapi({ example: 'workaround' }), summary: z.string().trim().min(3).max(5_000) })
  .openapi('ResolveIncident');

const clock = z
  .object({
    targetSeconds: z.number(),
    elapsedSeconds: z.number(),
    remainingSeconds: z.number(),
    dueAt: z.iso.datetime().nullable(),
    paused: z.boolean(),
    stopped: z.boolean(),
    breached: z.boolean(),
  })
  .openapi('SlaClock');

export const IncidentStatusSchema = z
  .object({
    state: z.enum(INCIDENT_STATES),
    priority: z.enum(PRIORITIES),
    major: z.boolean(),
    assigneeId: z.uuid().nullable(),
    groupId: z.uuid().nullable(),
    escalationLevel: z.number().int(),
    response: clock.nullable(),
    resolution: clock.nullable(),
    olaSeconds: z.record(z.string(), z.number()),
    heldNotifications: z.array(z.object({ kind: z.string(), at: z.iso.datetime() })),
  })
  .openapi('IncidentStatus');

export const IncidentEventSchema = z
  .object({
    type: z.string(),
    at: z.iso.datetime(),
    actorId: z.uuid().nullable(),
    fromState: z.string().nullable(),
    toState: z.string().nullable(),
    visibility: z.enum(['public', 'internal']),
    data: z.unknown(),
  })
  .openapi('IncidentEvent');

export const IncidentDetailSchema = IncidentSchema.extend({
  live: z.boolean().openapi({ description: 'true when the clocks come from the running workflow, false when from the persisted deadlines' }),
  clocks: IncidentStatusSchema.nullable(),
  events: z.array(IncidentEventSchema),
  cis: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string() })),
  ciImpact: z
    .object({ services: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string() })), cis: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string(), depth: z.number().int() })) })
    .nullable()
    .openapi({ description: "staff only: what the incident's CIs take down with them (CMDB impact analysis, 3 relationships deep)" }),
  problems: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), state: z.string() })),
  attachments: z
    .array(
      z.object({
        id: z.uuid(),
        filename: z.string(),
        contentType: z.string(),
        sizeBytes: z.number().int(),
        stored: z.boolean().openapi({ description: 'false: refused (see refusedReason); only its name and size are kept' }),
        refusedReason: z.string().nullable(),
        receivedAt: z.iso.datetime(),
      }),
    )
    .openapi({ description: 'files that came by mail with the incident or its replies' }),
  workflow: WorkflowLinkSchema,
}).openapi('IncidentDetail');
