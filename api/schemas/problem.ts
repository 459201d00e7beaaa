import { z } from 'zod';
import { PRIORITIES } from '../../domain/priority';
import { PROBLEM_STATES, TREND_DIMENSIONS } from '../../domain/problem';
import '../openapi';
import { boundedText } from './fields';
import { WorkflowLinkSchema } from './workflow-link';

export const ProblemIdParams = z.strictObject({ id: z.uuid('must be a problem id (UUID)') });

export const CreateProblemBody = z
  .strictObject({
    title: boundedText('the title', 3, 200),
    description: z.string().trim().max(20_000).default(''),
    priority: z.enum(PRIORITIES),
    serviceId: z.uuid('must be a service id (UUID)').optional(),
    ci: z.string().trim().min(1).max(100).optional().openapi({ description: 'the configuration item at fault, by code or id' }),
    category: z.string().trim().toLowerCase().max(60).optional(),
    ownerId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'who investigates; the problem starts under investigation when given' }),
    incidentIds: z.array(z.uuid('must be an incident id (UUID)')).max(500).default([]),
  })
  .openapi('CreateProblem');

export const ListProblemsQuery = z.strictObject({
  state: z.enum(PROBLEM_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const InvestigateBody = z.strictObject({ ownerId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'defaults to the caller' }) });
export const KnownErrorBody = z
  .strictObject({
    title: boundedText('the title', 3, 200),
    rootCause: boundedText('the root cause', 10, 20_000),
    workaround: boundedText('the workaround', 10, 20_000),
    language: z.enum(['en', 'zh-CN']).default('en'),
  })
  .openapi('KnownErrorInput');
export const LinkIncidentsBody = z.strictObject({ incidentIds: z.array(z.uuid('must be an incident id (UUID)')).min(1).max(500) });
export const CloseProblemBody = z.strictObject({ reason: boundedText('the reason', 3, 2_000) });

export const ProblemStatusSchema = z
  .object({
    state: z.enum(PROBLEM_STATES),
    priority: z.enum(PRIORITIES),
    ownerId: z.uuid().nullable(),
    rcaDueAt: z.string(),
    escalationLevel: z.number().int(),
    incidentIds: z.array(z.uuid()),
    knownError: z.object({ title: z.string(), rootCause: z.string(), workaround: z.string(), articleId: z.uuid().nullable() }).nullable(),
    fixChangeId: z.uuid().nullable(),
    reviewUntil: z.string().nullable(),
    closeReason: z.string().nullable(),
  })
  .openapi('ProblemStatus');

export const ProblemSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().openapi({ example: 'PRB-000007' }),
    title: z.string(),
    description: z.string(),
    priority: z.enum(PRIORITIES),
    state: z.enum(PROBLEM_STATES),
    source: z.string(),
    trendKey: z.string().nullable(),
    serviceId: z.uuid().nullable(),
    ciId: z.uuid().nullable(),
    category: z.string().nullable(),
    ownerId: z.uuid().nullable(),
    rcaDueAt: z.string().nullable(),
    escalationLevel: z.number().int(),
    rootCause: z.string().nullable(),
    workaround: z.string().nullable(),
    reviewUntil: z.string().nullable(),
    closedAt: z.string().nullable(),
    closeReason: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Problem');

export const ProblemDetailSchema = ProblemSchema.extend({
  incidents: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), state: z.string(), linkedBy: z.string(), linkedAt: z.string() })),
  fixes: z.array(z.object({ id: z.uuid(), reference: z.string(), state: z.string() })),
  knownError: z.object({ id: z.uuid(), title: z.string(), rootCause: z.string(), workaround: z.string(), status: z.string(), articleId: z.uuid().nullable() }).nullable(),
  events: z.array(z.object({ type: z.string(), at: z.string(), actorId: z.uuid().nullable(), fromState: z.string().nullable(), toState: z.string().nullable(), data: z.unknown() })),
  workflow: WorkflowLinkSchema,
}).openapi('ProblemDetail');

export const TrendRuleSchema = z.object({ dimension: z.enum(TREND_DIMENSIONS), windowSeconds: z.number().int(), threshold: z.number().int(), enabled: z.boolean() }).openapi('TrendRule');
export const TrendRuleParams = z.strictObject({ dimension: z.enum(TREND_DIMENSIONS) });
export const PutTrendRuleBody = z
  .strictObject({
    windowSeconds: z.number().int().min(60, 'at least a minute').max(90 * 86_400, 'at most 90 days'),
    threshold: z.number().int().min(2, 'a trend needs at least 2 incidents').max(10_000),
    enabled: z.boolean().default(true),
  })
  .openapi('PutTrendRule');

export const KnownErrorSchema = z
  .object({ id: z.uuid(), problemId: z.uuid(), problemReference: z.string(), title: z.string(), rootCause: z.string(), workaround: z.string(), status: z.string(), articleId: z.uuid().nullable(), publishedAt: z.string() })
  .openapi('KnownError');

export const PolicyParams = z.strictObject({ priority: z.enum(PRIORITIES) });
export const PutProblemPolicyBody = z
  .strictObject({
    rcaSeconds: z.number().int().min(1).max(365 * 86_400).openapi({ description: 'wall-clock seconds from opening to the root-cause deadline' }),
    remindBeforeSeconds: z.array(z.number().int().positive()).max(10).default([]),
    escalateAfterSeconds: z.number().int().min(0).max(30 * 86_400).default(0),
    coordinatorId: z.uuid('must be a user id (UUID)').nullable(),
    effectivenessSeconds: z.number().int().min(1).max(365 * 86_400).openapi({ description: 'how long a fix must hold, with no new linked incident, before the problem closes' }),
  })
  .openapi('PutProblemPolicy');
export const ProblemPolicySchema = PutProblemPolicyBody.extend({ priority: z.enum(PRIORITIES) }).openapi('ProblemPolicy');
