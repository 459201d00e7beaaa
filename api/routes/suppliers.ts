import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { isoOrNull } from '../../domain/instants';
import { scheduledContract } from '../../activities/supplier-review';
import { supplierReviewStart } from '../../domain/supplier-metadata';
import type { Contract, ContractService, Prisma, SupplierReview } from '../../prisma/generated/client';
import { contractSchedules, DEFAULT_SCHEDULE_PREFIX, upsertSchedule } from '../../temporal-config/schedules';
import type { supplierReview } from '../../workflows/supplier-review';
import { assessSupplierUpdate, type SupplierReviewStatus } from '../../workflows/supplier-review.messages';
import { hasAnyRole, MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { AssessBody, ContractSchema, CreateContractBody, CreateSupplierBody, DisputeBody, IdParams, ReviewNowBody, SupplierReviewSchema } from '../schemas/supplier';
import { workflowLink } from '../workflow-links';
import { recordUpdater } from '../workflow-updates';
import { startRecordWorkflow } from '../workflow-start';

const day = (value: Date) => value.toISOString().slice(0, 10);

const contractView = (c: Contract & { services: ContractService[] }) => ({
  id: c.id,
  reference: c.reference,
  title: c.title,
  supplierId: c.supplierId,
  ownerId: c.ownerId,
  serviceIds: c.services.map((s) => s.serviceId),
  targets: c.targets as { metric: string; target: number }[],
  startsOn: day(c.startsOn),
  endsOn: day(c.endsOn),
  noticeDays: c.noticeDays,
  renewal: c.renewal,
  status: c.status,
});

const reviewView = (deps: ApiDeps, r: SupplierReview) => ({
  id: r.id,
  contractId: r.contractId,
  reason: r.reason,
  state: r.state,
  periodStart: r.periodStart.toISOString(),
  periodEnd: r.periodEnd.toISOString(),
  dueAt: isoOrNull(r.dueAt),
  escalated: r.escalated,
  performance: r.performance,
  outcome: r.outcome,
  actions: r.actions,
  notes: r.notes,
  assessorId: r.assessorId,
  workflowId: r.workflowId,
  workflow: workflowLink(deps, r.workflowId),
});

/** Suppliers, their contracts (each reviewed yearly by its own Temporal Schedule), disputes and reviews. */
export function supplierRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const prefix = deps.schedulePrefix ?? DEFAULT_SCHEDULE_PREFIX;
  const sendToReview = recordUpdater(deps.temporal, 'supplier review', (id) => prisma.supplierReview.findUnique({ where: { id }, select: { state: true } }));
  const unknown = (field: string, what: string) => httpErrors.validation([{ location: 'body', field, message: `no ${what}`, code: 'unknown_reference' }]);
  const findContract = (id: string) => foundOr404(prisma.contract.findUnique({ where: { id }, include: { services: true, supplier: true, owner: true } }), `contract ${id}`);

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/suppliers',
    summary: 'Record a supplier',
    tags: ['suppliers'],
    roles: MANAGERS,
    body: CreateSupplierBody,
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid(), name: z.string() }) }, 409: { description: 'The name is taken' } },
    async handler({ body }) {
      if (await prisma.supplier.findUnique({ where: { name: body.name } })) throw httpErrors.conflict(`a supplier named ${body.name} exists`);
      const supplier = await prisma.supplier.create({ data: body });
      return { status: 201, body: { id: supplier.id, name: supplier.name } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/contracts',
    summary: 'Record a supplier contract; its yearly review (on its anniversary) and its renewal reminder (when the notice period starts) are scheduled at once',
    tags: ['suppliers'],
    roles: MANAGERS,
    body: CreateContractBody,
    responses: { 201: { description: 'Recorded and scheduled', schema: ContractSchema }, 409: { description: 'The reference is taken' } },
    async handler({ body }) {
      const supplier = await prisma.supplier.findUnique({ where: { id: body.supplierId } });
      if (!supplier) throw unknown('supplierId', `supplier ${body.supplierId}`);
      const owner = await prisma.user.findUnique({ where: { id: body.ownerId } });
      if (!owner) throw unknown('ownerId', `user ${body.ownerId}`);
      const services = await prisma.service.findMany({ where: { id: { in: body.serviceIds } }, select: { id: true } });
      body.serviceIds.forEach((id, index) => {
        if (!services.some((s) => s.id === id)) throw unknown(`serviceIds.${index}`, `service ${id}`);
      });
      if (await prisma.contract.findUnique({ where: { reference: body.reference } })) throw httpErrors.conflict(`a contract ${body.reference} exists`);
      const { serviceIds, startsOn, endsOn, targets, ...fields } = body;
      const contract = await prisma.contract.create({
        data: { ...fields, targets: targets as Prisma.InputJsonArray, startsOn: new Date(startsOn), endsOn: new Date(endsOn), services: { create: [...new Set(serviceIds)].map((serviceId) => ({ serviceId })) } },
        include: { services: true },
      });
      for (const schedule of contractSchedules(prefix, deps.taskQueue, scheduledContract({ ...contract, supplier, owner }, deps.publicUrl))) await upsertSchedule(deps.temporal, schedule);
      return { status: 201, body: contractView(contract) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/contracts/:id',
    summary: 'One contract with its reviews and disputes',
    tags: ['suppliers'],
    roles: STAFF,
    params: IdParams,
    responses: { 200: { description: 'The contract', schema: ContractSchema.extend({ reviews: z.array(SupplierReviewSchema), disputes: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such contract' } },
    async handler({ params }) {
      const contract = await findContract(params.id);
      const [reviews, disputes] = await Promise.all([
        prisma.supplierReview.findMany({ where: { contractId: contract.id }, orderBy: { createdAt: 'asc' } }),
        prisma.supplierDispute.findMany({ where: { contractId: contract.id }, orderBy: { openedAt: 'asc' } }),
      ]);
      return { status: 200, body: { ...contractView(contract), reviews: reviews.map((review) => reviewView(deps, review)), disputes: disputes.map(({ id, title, status, openedAt }) => ({ id, title, status, openedAt: openedAt.toISOString() })) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/contracts/:id/disputes',
    summary: 'Record a dispute with the supplier (counted in its next review)',
    tags: ['suppliers'],
    roles: STAFF,
    params: IdParams,
    body: DisputeBody,
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid() }) }, 404: { description: 'No such contract' } },
    async handler({ params, body }) {
      const contract = await findContract(params.id);
      const dispute = await prisma.supplierDispute.create({ data: { contractId: contract.id, ...body } });
      return { status: 201, body: { id: dispute.id } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/contracts/:id/review',
    summary: 'Review the supplier now, on a significant change (the yearly review runs by itself)',
    tags: ['suppliers'],
    roles: MANAGERS,
    params: IdParams,
    body: ReviewNowBody,
    responses: { 202: { description: 'Review started', schema: z.object({ workflowId: z.string() }) }, 404: { description: 'No such contract' } },
    async handler({ params, body }) {
      const contract = await findContract(params.id);
      const workflowId = `supplier-review-${contract.id}-${Date.now()}`;
      const { staticSummary, staticDetails } = supplierReviewStart(scheduledContract(contract, deps.publicUrl), body.reason);
      await startRecordWorkflow<typeof supplierReview>(deps, 'supplierReview', {
        workflowId,
        args: [{ contractId: contract.id, reason: body.reason }],
        memo: { note: body.note },
        kind: 'supplier-review',
        summary: staticSummary,
        details: staticDetails,
      });
      return { status: 202, body: { workflowId } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/supplier-reviews/:id',
    summary: "One supplier review: the period's performance against the targets, the deadline, the outcome and actions",
    tags: ['suppliers'],
    roles: STAFF,
    params: IdParams,
    responses: { 200: { description: 'The review', schema: SupplierReviewSchema }, 404: { description: 'No such review' } },
    async handler({ params }) {
      const review = await foundOr404(prisma.supplierReview.findUnique({ where: { id: params.id } }), `supplier review ${params.id}`);
      return { status: 200, body: reviewView(deps, review) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/supplier-reviews/:id/assess',
    summary: 'Assess the supplier (the contract owner or a manager): continue, renegotiate or terminate, with actions',
    tags: ['suppliers'],
    roles: STAFF,
    params: IdParams,
    body: AssessBody,
    responses: { 200: { description: 'Assessed', schema: z.record(z.string(), z.unknown()) }, 404: { description: 'No such review' }, 409: { description: 'Not waiting for an assessment (currentState in the body)' } },
    async handler({ params, body, principal }) {
      const review = await foundOr404(prisma.supplierReview.findUnique({ where: { id: params.id } }), `supplier review ${params.id}`);
      const status: SupplierReviewStatus = await sendToReview(review, assessSupplierUpdate, {
        actorId: principal.id,
        mayAssess: hasAnyRole(principal, MANAGERS),
        ...body,
      });
      return { status: 200, body: status };
    },
  });
}
