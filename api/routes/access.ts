import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { ACCESS_DECISIONS } from '../../domain/access-review';
import { isoOrNull } from '../../domain/instants';
import type { AccessReview, Prisma } from '../../prisma/generated/client';
import { accessReviewStatusQuery, decideEntitlementUpdate, type AccessReviewStatus } from '../../workflows/access-review.messages';
import { EVERYONE, hasAnyRole, MANAGERS, STAFF, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404 } from '../problem-details';
import { recordActions } from '../record-action';
import { defineRoute } from '../route';
import { recordUpdater } from '../workflow-updates';
import '../openapi';

const IdParams = z.strictObject({ id: z.uuid('must be an access review id (UUID)') });
const EntitlementsQuery = z.strictObject({ userId: z.uuid().optional(), ciId: z.uuid().optional(), active: z.enum(['true', 'false']).optional() });
const DecideBody = z.strictObject({ entitlementId: z.uuid('must be an entitlement id (UUID)'), decision: z.enum(ACCESS_DECISIONS) }).openapi('DecideEntitlement');
const AccessReviewStatusSchema = z
  .object({
    reviewId: z.string().nullable(),
    state: z.enum(['opening', 'due', 'done']),
    dueAt: z.string().nullable(),
    escalated: z.boolean(),
    decisions: z.array(z.object({ entitlementId: z.string(), decision: z.enum(ACCESS_DECISIONS), revocationRequestId: z.string().nullable() })),
    undecided: z.array(z.string()),
  })
  .openapi('AccessReviewStatus');

/** Who holds access to what, and each system owner's yearly recertification of it. */
export function accessRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  // Staff see every review; an owner sees the reviews of their systems.
  const visibleTo = (principal: Principal): Prisma.AccessReviewWhereInput => (hasAnyRole(principal, STAFF) ? {} : { ownerId: principal.id });
  const findReview = (id: string, principal: Principal) => foundOr404(prisma.accessReview.findFirst({ where: { id, ...visibleTo(principal) } }), `access review ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/entitlements',
    summary: 'Access held: who, on which system, in which role, granted and approved by whom, since when (staff see all, others their own)',
    tags: ['access'],
    roles: EVERYONE,
    query: EntitlementsQuery,
    responses: { 200: { description: 'Entitlements' } },
    async handler({ query, principal }) {
      const own = hasAnyRole(principal, STAFF) ? {} : { userId: principal.id };
      const active = query.active === undefined ? {} : { revokedAt: query.active === 'true' ? null : { not: null } };
      const rows = await prisma.entitlement.findMany({ where: { userId: query.userId, ciId: query.ciId, ...active, ...own }, orderBy: [{ since: 'asc' }, { id: 'asc' }], take: 500 });
      return {
        status: 200,
        body: { items: rows.map((e) => ({ id: e.id, userId: e.userId, ciId: e.ciId, role: e.role, itemId: e.itemId, grantedById: e.grantedById, approvedById: e.approvedById, requestId: e.requestId, since: e.since.toISOString(), revokedAt: isoOrNull(e.revokedAt) })) },
      };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/access-reviews',
    summary: 'Access reviews (recertification), newest first (staff see all, owners the reviews of their systems)',
    tags: ['access'],
    roles: EVERYONE,
    responses: { 200: { description: 'Access reviews' } },
    async handler({ principal }) {
      const rows = await prisma.accessReview.findMany({ where: visibleTo(principal), orderBy: { createdAt: 'desc' }, take: 200 });
      return { status: 200, body: { items: rows.map(reviewView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/access-reviews/:id',
    summary: 'One access review with each entitlement under it and the decisions so far',
    tags: ['access'],
    roles: EVERYONE,
    params: IdParams,
    responses: { 200: { description: 'The review' }, 404: { description: 'No such review (or not yours)' } },
    async handler({ params, principal }) {
      const review = await findReview(params.id, principal);
      const status = await deps.temporal.workflow
        .getHandle(review.workflowId)
        .query(accessReviewStatusQuery)
        .catch(() => null);
      const decisions = await prisma.accessReviewDecision.findMany({ where: { reviewId: review.id }, orderBy: { decidedAt: 'asc' } });
      return { status: 200, body: { ...reviewView(review), undecided: status?.undecided ?? [], decisions: decisions.map((d) => ({ entitlementId: d.entitlementId, decision: d.decision, decidedById: d.decidedById, decidedAt: d.decidedAt.toISOString(), revocationRequestId: d.revocationRequestId })) } };
    },
  });

  const action = recordActions<AccessReview, AccessReviewStatus>(router, registry, { path: '/api/access-reviews', tag: 'access', noun: 'access review', params: IdParams, status: AccessReviewStatusSchema, find: findReview });
  const send = recordUpdater(deps.temporal, 'access review', (id) => prisma.accessReview.findUnique({ where: { id }, select: { state: true } }));
  action({
    verb: 'decide',
    summary: "Confirm or revoke one entitlement (the system's owner, or a manager); a revoke opens a revocation request for the group that granted it",
    roles: EVERYONE,
    body: DecideBody,
    run: ({ record, body, principal }) => send(record, decideEntitlementUpdate, { actorId: principal.id, entitlementId: body.entitlementId, decision: body.decision, isManager: hasAnyRole(principal, MANAGERS) }),
  });
}

const reviewView = (review: AccessReview) => ({
  id: review.id,
  ciId: review.ciId,
  ownerId: review.ownerId,
  state: review.state,
  dueAt: review.dueAt.toISOString(),
  escalated: review.escalated,
  createdAt: review.createdAt.toISOString(),
  doneAt: isoOrNull(review.doneAt),
});
