import { z } from 'zod';
import { CHANGE_STATES, CHANGE_TYPES, RISK_LEVELS, RISK_QUESTIONS } from '../../domain/change';
import { CI_TYPES } from '../../domain/cmdb';
import '../openapi';
import { WorkflowLinkSchema } from './workflow-link';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-12-05T22:00:00+08:00' });
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const required = (label: string, max: number) => text(max).min(3, `${label} must be at least 3 characters`);

const riskAnswer = <K extends keyof typeof RISK_QUESTIONS>(question: K) =>
  z.enum(Object.keys(RISK_QUESTIONS[question]) as [keyof (typeof RISK_QUESTIONS)[K] & string, ...(keyof (typeof RISK_QUESTIONS)[K] & string)[]]);

export const RiskAnswersSchema = z
  .strictObject({
    userImpact: riskAnswer('userImpact'),
    complexity: riskAnswer('complexity'),
    downtime: riskAnswer('downtime'),
    testedBeforehand: riskAnswer('testedBeforehand'),
    backoutTested: riskAnswer('backoutTested'),
    doneBefore: riskAnswer('doneBefore'),
  })
  .openapi('RiskAnswers');

const windowRefinement = <T extends { plannedStart: string; plannedEnd: string }>(value: T, ctx: z.core.$RefinementCtx<T>) => {
  if (Date.parse(value.plannedEnd) <= Date.parse(value.plannedStart)) {
    ctx.addIssue({ code: 'custom', path: ['plannedEnd'], message: 'must be after plannedStart' });
  }
};

export const CreateChangeBody = z
  .strictObject({
    type: z.enum(CHANGE_TYPES),
    title: required('title', 200),
    description: text(20_000).default(''),
    justification: required('justification', 5_000),
    serviceIds: z.array(z.uuid('must be a service id (UUID)')).min(1, 'name at least one affected service').max(50),
    affectedCis: z.array(z.string().trim().min(1).max(100)).max(500).default([]).openapi({ description: 'configuration items, by code or id; they must exist in the CMDB' }),
    implementationPlan: required('the implementation plan', 20_000).optional().openapi({ description: "required, except for a standard change, which follows its template's plan" }),
    backoutPlan: required('the back-out plan', 20_000).optional().openapi({ description: "required, except for a standard change, which follows its template's plan" }),
    plannedStart: instant,
    plannedEnd: instant,
    estimatedCost: z.number().min(0, 'must not be negative').max(1e12),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').default('CNY'),
    riskAnswers: RiskAnswersSchema,
    downtime: z.boolean().default(false).openapi({ description: 'its implementation takes its services out of service: starting it opens a planned outage on each, completing or failing it ends them' }),
    templateId: z.uuid('must be a template id (UUID)').optional().openapi({ description: 'required for standard changes, not allowed otherwise' }),
    submit: z.boolean().default(false).openapi({ description: 'submit at once instead of saving a draft' }),
  })
  .superRefine((value, ctx) => {
    windowRefinement(value, ctx);
    if (value.downtime && value.riskAnswers.downtime === 'none') ctx.addIssue({ code: 'custom', path: ['downtime'], message: 'declares downtime, but riskAnswers.downtime is "none"' });
    if (value.type === 'standard' && !value.templateId) ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'a standard change needs its pre-approved template' });
    if (value.type !== 'standard' && value.templateId) ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'only standard changes use a template' });
    for (const [field, label] of [['implementationPlan', 'the implementation plan'], ['backoutPlan', 'the back-out plan']] as const) {
      if (value.type !== 'standard' && value[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${label} is required` });
    }
  })
  .openapi('CreateChange');

export const ChangeIdParams = z.strictObject({ id: z.uuid('must be a change id (UUID)') });

export const ListChangesQuery = z.strictObject({
  state: z.enum(CHANGE_STATES).optional(),
  type: z.enum(CHANGE_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().positive().optional().openapi({ description: 'the nextCursor of the previous page' }),
});

export const ConflictSchema = z
  .object({
    kind: z.enum(['blackout', 'closed-maintenance-window', 'outside-maintenance-window', 'change-overlap']),
    withId: z.string().nullable(),
    detail: z.string(),
    serviceIds: z.array(z.string()),
    cis: z.array(z.string()),
    start: z.string().nullable(),
    end: z.string().nullable(),
  })
  .openapi('Conflict');

export const ConflictsQuery = z
  .strictObject({
    service: z.string().trim().min(1).openapi({ description: 'service id or code; comma-separated for several' }),
    ci: z.string().trim().min(1).optional().openapi({ description: 'configuration item ids, comma-separated' }),
    from: instant,
    to: instant,
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ['to'], message: 'must be after from' });

export const ChangeSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().openapi({ example: 'CHG-000042' }),
    type: z.enum(CHANGE_TYPES),
    state: z.enum(CHANGE_STATES),
    title: z.string(),
    description: z.string(),
    justification: z.string(),
    implementationPlan: z.string(),
    backoutPlan: z.string(),
    requesterId: z.uuid(),
    templateId: z.uuid().nullable(),
    serviceIds: z.array(z.uuid()),
    affectedCis: z.array(z.string()).openapi({ description: 'CI codes' }),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    estimatedCost: z.number(),
    currency: z.string(),
    costApprovedAt: z.string().nullable(),
    riskScore: z.number().int().nullable(),
    riskLevel: z.enum(RISK_LEVELS).nullable(),
    downtime: z.boolean().openapi({ description: 'its implementation takes its services out of service (a planned outage)' }),
    approvalDueAt: z.string().nullable(),
    escalationLevel: z.number().int(),
    scheduledStart: z.string().nullable(),
    scheduledEnd: z.string().nullable(),
    outcome: z.string().nullable(),
    reviewDueAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    closeReason: z.string().nullable(),
    workflowId: z.string(),
    workflow: WorkflowLinkSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Change');

export const ChangeDetailSchema = ChangeSchema.extend({
  approvals: z.array(z.object({ level: z.number().int(), board: z.string(), approverId: z.uuid(), decision: z.string(), comment: z.string(), via: z.string(), decidedAt: z.string() })),
  approvalPlan: z.unknown(),
  conflicts: z.array(ConflictSchema),
  conflictOverride: z.unknown().nullable(),
  backout: z.unknown().nullable(),
  review: z.unknown().nullable(),
  events: z.array(z.object({ type: z.string(), at: z.string(), actorId: z.string().nullable(), fromState: z.string().nullable(), toState: z.string().nullable(), data: z.unknown() })),
}).openapi('ChangeDetail');

export const ChangePage = z.object({ items: z.array(ChangeSchema), nextCursor: z.number().int().nullable() }).openapi('ChangePage');

export const ChangeStatusSchema = z.object({ state: z.enum(CHANGE_STATES) }).passthrough().openapi('ChangeStatus');

const reason = required('reason', 2_000);
export const EmptyBody = z.strictObject({});
const decidedLevel = z.number().int().min(1).max(10).optional().openapi({ description: 'the approval level you are deciding; refused (409) when the change is at another level by then' });
export const ApproveBody = z.strictObject({ comment: text(2_000).default(''), level: decidedLevel });
export const RejectBody = z.strictObject({ comment: reason.openapi({ description: 'why: a rejection always carries its reason' }), level: decidedLevel });
export const ScheduleBody = z
  .strictObject({
    plannedStart: instant.optional().openapi({ description: 'defaults to the planned window' }),
    plannedEnd: instant.optional(),
    overrideReason: reason.optional().openapi({ description: 'managers only: schedule despite the conflicts listed, for this reason' }),
  })
  .refine((b) => (b.plannedStart === undefined) === (b.plannedEnd === undefined), { path: ['plannedEnd'], message: 'give plannedStart and plannedEnd together' })
  .refine((b) => b.plannedStart === undefined || Date.parse(b.plannedEnd!) > Date.parse(b.plannedStart), { path: ['plannedEnd'], message: 'must be after plannedStart' });
export const CompleteBody = z.strictObject({ notes: text(10_000).default('') });
export const FailBody = z.strictObject({ reason, backoutPerformed: z.boolean(), backoutNotes: text(10_000).default('') });
export const ReviewBody = z.strictObject({ summary: required('summary', 10_000), lessons: text(10_000).default('') });
export const CancelBody = z.strictObject({ reason });

const window = {
  name: required('name', 200),
  startsAt: instant,
  endsAt: instant,
};
const endsAfterStart = (value: { startsAt: string; endsAt: string }) => Date.parse(value.endsAt) > Date.parse(value.startsAt);

export const MaintenanceWindowBody = z
  .strictObject({ serviceId: z.uuid('must be a service id (UUID)'), ...window, status: z.enum(['open', 'closed']).default('open') })
  .refine(endsAfterStart, { path: ['endsAt'], message: 'must be after startsAt' })
  .openapi('MaintenanceWindowInput');
export const BlackoutBody = z
  .strictObject({ serviceId: z.uuid('must be a service id (UUID)').nullable().default(null).openapi({ description: 'null: every service' }), ...window, reason: text(2_000).default('') })
  .refine(endsAfterStart, { path: ['endsAt'], message: 'must be after startsAt' })
  .openapi('BlackoutInput');
export const WindowIdParams = z.strictObject({ id: z.uuid('must be an id (UUID)') });
export const WindowListQuery = z.strictObject({ serviceId: z.uuid().optional(), from: instant.optional(), to: instant.optional() });

export const QuorumSchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('any') }),
  z.strictObject({ rule: z.literal('all') }),
  z.strictObject({ rule: z.literal('majority') }),
  z.strictObject({ rule: z.literal('n-of-m'), n: z.number().int().min(1) }),
]);

const seconds = z.number().int().min(1).max(366 * 86_400);
export const BoardCodeParams = z.strictObject({ code: z.string().regex(/^[A-Z][A-Z0-9-]{1,31}$/, 'must be an upper-case code such as CAB') });
export const BoardBody = z
  .strictObject({
    name: required('name', 200),
    chairId: z.uuid().nullable(),
    memberIds: z.array(z.uuid()).min(1, 'a board needs at least one member').max(100),
    quorum: QuorumSchema,
    calendarId: z.uuid(),
    decisionSeconds: seconds.openapi({ description: 'business seconds from the start of a stage to its deadline' }),
    remindBeforeSeconds: z.array(seconds).max(10).default([]),
    escalateBeforeSeconds: z.number().int().min(0).max(366 * 86_400).nullable().default(null),
    reviewSeconds: seconds,
    secondLevel: z
      .strictObject({ board: BoardCodeParams.shape.code, costAbove: z.number().min(0).nullable(), riskAtLeast: z.enum(RISK_LEVELS).nullable() })
      .nullable()
      .default(null),
  })
  .refine((b) => b.quorum.rule !== 'n-of-m' || b.quorum.n <= b.memberIds.length, { path: ['quorum', 'n'], message: 'cannot exceed the number of members' })
  .openapi('ApprovalBoardInput');

/** What a template pre-approves: work on these services, touching CIs of these types, up to this risk. */
const templateScope = {
  serviceIds: z.array(z.uuid('must be a service id (UUID)')).min(1, 'name at least one service the template covers').max(200),
  ciTypes: z.array(z.enum(CI_TYPES)).max(CI_TYPES.length).default([]).openapi({ description: 'the CI types its changes may touch; none: changes under it touch no configuration item' }),
  maxRisk: z.enum(RISK_LEVELS).default('low').openapi({ description: 'the highest assessed risk it pre-approves; above it the change goes to the CAB as a normal change' }),
};

export const TemplateBody = z
  .strictObject({
    name: required('name', 200),
    description: text(5_000).default(''),
    implementationPlan: required('the implementation plan', 20_000),
    backoutPlan: required('the back-out plan', 20_000),
    maxCost: z.number().min(0),
    maxDurationMinutes: z.number().int().min(1).max(7 * 24 * 60),
    ...templateScope,
  })
  .openapi('StandardChangeTemplateInput');

export const TemplateIdParams = z.strictObject({ id: z.uuid('must be a template id (UUID)') });
export const TemplateScopeBody = z.strictObject(templateScope).openapi('StandardChangeTemplateScope');
