import { z } from 'zod';
import { REVIEW_OUTCOMES, TARGET_METRICS } from '../../domain/supplier';
import '../openapi';
import { WorkflowLinkSchema } from './workflow-link';

const day = z.iso.date('must be a date (YYYY-MM-DD)');

export const CreateSupplierBody = z.strictObject({ name: z.string().trim().min(2).max(200), contactEmail: z.email().optional(), notes: z.string().max(5_000).default('') }).openapi('CreateSupplier');

export const CreateContractBody = z
  .strictObject({
    reference: z.string().trim().regex(/^[A-Z0-9][A-Z0-9._-]{1,39}$/i, 'letters, digits, dot, dash or underscore'),
    title: z.string().trim().min(3).max(200),
    supplierId: z.uuid('must be a supplier id (UUID)'),
    ownerId: z.uuid('must be a user id (UUID)'),
    serviceIds: z.array(z.uuid('must be a service id (UUID)')).min(1, 'name the services the contract underpins').max(50),
    targets: z.array(z.strictObject({ metric: z.enum(TARGET_METRICS), target: z.number().gt(0).max(1) })).max(10).default([]),
    startsOn: day,
    endsOn: day,
    noticeDays: z.number().int().min(0).max(730),
    renewal: z.enum(['none', 'tacit', 'explicit']),
    assessmentSeconds: z.number().int().min(1).max(90 * 86_400).default(14 * 86_400),
    remindBeforeSeconds: z.array(z.number().int().positive()).max(5).default([3 * 86_400]),
  })
  .refine((b) => b.startsOn < b.endsOn, { path: ['endsOn'], message: 'must be after startsOn' })
  .openapi('CreateContract');

export const IdParams = z.strictObject({ id: z.uuid('must be an id (UUID)') });
export const ReviewNowBody = z.strictObject({ reason: z.literal('significant-change').default('significant-change'), note: z.string().trim().min(3).max(2_000) });
export const AssessBody = z
  .strictObject({
    outcome: z.enum(REVIEW_OUTCOMES),
    actions: z.array(z.strictObject({ title: z.string().trim().min(3).max(500), dueOn: day.nullable().default(null) })).max(50).default([]),
    notes: z.string().trim().max(10_000).default(''),
  })
  .openapi('AssessSupplier');
export const DisputeBody = z.strictObject({ title: z.string().trim().min(3).max(200), description: z.string().trim().max(10_000).default('') }).openapi('CreateDispute');

export const ContractSchema = z
  .object({ id: z.uuid(), reference: z.string(), title: z.string(), supplierId: z.uuid(), ownerId: z.uuid(), serviceIds: z.array(z.uuid()), targets: z.array(z.object({ metric: z.string(), target: z.number() })), startsOn: z.string(), endsOn: z.string(), noticeDays: z.number().int(), renewal: z.string(), status: z.string() })
  .openapi('Contract');
export const SupplierReviewSchema = z
  .object({ id: z.uuid(), contractId: z.uuid(), reason: z.string(), state: z.string(), periodStart: z.string(), periodEnd: z.string(), dueAt: z.string().nullable(), escalated: z.boolean(), performance: z.unknown(), outcome: z.string().nullable(), actions: z.unknown(), notes: z.string(), assessorId: z.uuid().nullable(), workflowId: z.string(), workflow: WorkflowLinkSchema })
  .openapi('SupplierReview');
