import { z } from 'zod';
import { APPROVAL_KINDS, REQUEST_STATES } from '../../domain/request';
import { formProblems } from '../../domain/request-form';
import '../openapi';
import { QuorumSchema } from './change';
import { boundedText } from './fields';

const seconds = z.number().int().min(1).max(366 * 86_400);

export const FormPropertySchema = z
  .strictObject({
    type: z.literal('string'),
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2_000).optional(),
    enum: z.array(z.string().trim().min(1).max(200)).max(50).optional().openapi({ description: 'a choice among these options' }),
    format: z.enum(['date', 'user', 'ci']).optional().openapi({ description: 'date: YYYY-MM-DD; user: a person’s id; ci: a configuration item’s id' }),
    maxLength: z.number().int().min(1).max(10_000).optional(),
  })
  .openapi('FormProperty');

/** A JSON-schema subset: an object of string fields (text, choice, date, person, configuration item). */
export const RequestFormSchema = z
  .strictObject({
    type: z.literal('object'),
    required: z.array(z.string()).max(50).default([]),
    properties: z.record(z.string(), FormPropertySchema),
  })
  .superRefine((form, ctx) => {
    for (const issue of formProblems(form)) ctx.addIssue({ code: 'custom', path: issue.field.split('.'), message: issue.message });
  })
  .openapi('RequestForm');

export const ItemApprovalSchema = z
  .strictObject({
    kind: z.enum(APPROVAL_KINDS),
    groupId: z.uuid('must be a group id (UUID)').optional().openapi({ description: 'the approving group, for kind "group"' }),
    quorum: QuorumSchema.optional().openapi({ description: 'for kind "group"; any member by default' }),
    decisionSeconds: seconds.default(2 * 86_400).openapi({ description: 'business seconds the approvers have' }),
    remindBeforeSeconds: z.array(seconds).max(10).default([]),
  })
  .refine((a) => a.kind !== 'group' || a.groupId !== undefined, { path: ['groupId'], message: 'a group approval names its group' })
  .refine((a) => a.remindBeforeSeconds.every((s) => s < a.decisionSeconds), { path: ['remindBeforeSeconds'], message: 'each reminder must come before the deadline (less than decisionSeconds)' })
  .openapi('ItemApproval');

export const ItemFulfilmentSchema = z
  .strictObject({
    mode: z.enum(['ordered', 'parallel']),
    tasks: z
      .array(z.strictObject({ name: boundedText('the task name', 2, 200), groupId: z.uuid('must be a group id (UUID)'), olaSeconds: seconds.openapi({ description: "the group's OLA for this task, business seconds" }) }))
      .min(1, 'an item needs at least one fulfilment task')
      .max(20),
  })
  .openapi('ItemFulfilment');

const itemFields = {
  name: boundedText('the name', 2, 200),
  description: z.string().trim().max(10_000).default(''),
  form: RequestFormSchema,
  approval: ItemApprovalSchema,
  fulfilment: ItemFulfilmentSchema,
  calendarId: z.uuid('must be a calendar id (UUID)'),
  responseTargetSeconds: seconds,
  fulfilmentTargetSeconds: seconds,
  autoCloseAfterSeconds: seconds.default(3 * 86_400),
};

export const CreateCatalogItemBody = z
  .strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9-]{1,39}$/, 'must be an upper-case code such as LAPTOP'),
    serviceId: z.uuid('must be a service id (UUID)'),
    kind: z.enum(['standard', 'access']).default('standard'),
    ciId: z.uuid('must be a configuration item id (UUID)').optional().openapi({ description: 'the system an access item grants access to' }),
    accessRole: z.string().trim().min(1).max(100).optional().openapi({ description: 'the role on that system' }),
    ...itemFields,
  })
  .refine((item) => item.kind !== 'access' || item.ciId !== undefined, { path: ['ciId'], message: 'an access item names its system' })
  .refine((item) => item.kind !== 'access' || item.accessRole !== undefined, { path: ['accessRole'], message: 'an access item names the role it grants' })
  .openapi('CreateCatalogItem');

/** Every setting at once, as for SLA policies: the new version is the whole item, with why it changed. */
export const UpdateCatalogItemBody = z
  .strictObject({ ...itemFields, reason: boundedText('the reason', 3, 2_000) })
  .openapi('UpdateCatalogItem');

export const CatalogItemIdParams = z.strictObject({ id: z.uuid('must be a catalogue item id (UUID)') });
export const ListCatalogQuery = z.strictObject({ serviceId: z.uuid().optional() });

export const CatalogItemSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    serviceId: z.uuid(),
    name: z.string(),
    description: z.string(),
    kind: z.enum(['standard', 'access']),
    ciId: z.uuid().nullable(),
    accessRole: z.string().nullable(),
    form: z.unknown(),
    approval: z.unknown(),
    fulfilment: z.unknown(),
    calendarId: z.uuid(),
    responseTargetSeconds: z.number().int(),
    fulfilmentTargetSeconds: z.number().int(),
    autoCloseAfterSeconds: z.number().int(),
    version: z.number().int(),
    retiredAt: z.iso.datetime().nullable(),
  })
  .openapi('CatalogItem');

export const SubmitRequestBody = z
  .strictObject({
    itemId: z.uuid('must be a catalogue item id (UUID)'),
    answers: z.record(z.string(), z.unknown()).default({}).openapi({ description: 'the answers to the item’s form, by field name' }),
  })
  .openapi('SubmitRequest');

export const RequestIdParams = z.strictObject({ id: z.uuid('must be a request id (UUID)') });
export const ListRequestsQuery = z.strictObject({ state: z.enum(REQUEST_STATES).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export const ListTasksQuery = z.strictObject({ state: z.enum(['waiting', 'open', 'done', 'cancelled']).default('open') });

const comment = z.string().trim().max(10_000).default('');
export const ApproveRequestBody = z.strictObject({ comment });
export const RejectRequestBody = z.strictObject({ comment: boundedText('the reason', 3, 10_000) });
export const TaskBody = z.strictObject({ taskId: z.string().min(1).max(100), notes: comment });
export const RequestInfoBody = z.strictObject({ question: boundedText('the question', 3, 10_000) });
export const ProvideInfoBody = z.strictObject({ answer: boundedText('the answer', 1, 10_000) });
export const CancelRequestBody = z.strictObject({ reason: boundedText('the reason', 3, 2_000) });

const clock = z.object({ dueAt: z.string().nullable(), metAt: z.string().nullable(), breached: z.boolean(), pausedWithSecondsLeft: z.number().nullable() });
export const RequestStatusSchema = z
  .object({
    state: z.enum(REQUEST_STATES),
    approval: z.object({ kind: z.string(), approverIds: z.array(z.string()), decisions: z.array(z.object({ approverId: z.string(), decision: z.enum(['approve', 'reject']), comment: z.string(), via: z.string(), at: z.string() })), dueAt: z.string().nullable() }),
    tasks: z.array(
      z.object({
        id: z.string(),
        position: z.number().int(),
        name: z.string(),
        groupId: z.string(),
        state: z.string(),
        assigneeId: z.string().nullable(),
        openedAt: z.string().nullable(),
        olaDueAt: z.string().nullable(),
        completedAt: z.string().nullable(),
        olaBreached: z.boolean(),
        escalationLevel: z.number().int(),
      }),
    ),
    response: clock,
    fulfilment: clock,
    escalationLevel: z.number().int(),
    question: z.string().nullable(),
  })
  .openapi('RequestStatus');
