import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { recordTestOutcomeUpdate } from '../../workflows/continuity-test.messages';
import { EVERYONE, hasAnyRole, MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { recordUpdater } from '../workflow-updates';

const IdParams = z.strictObject({ id: z.uuid('must be an id (UUID)') });
const CreatePlanBody = z
  .strictObject({
    serviceId: z.uuid('must be a service id (UUID)'),
    title: z.string().trim().min(3).max(200),
    scenario: z.string().trim().min(3).max(5_000),
    ownerId: z.uuid('must be a user id (UUID)'),
    testSeconds: z.number().int().min(1).max(180 * 86_400).default(30 * 86_400).openapi({ description: 'how long the owner has to run the yearly test once it is due' }),
    remindBeforeSeconds: z.array(z.number().int().positive()).max(5).default([7 * 86_400]),
  })
  .openapi('CreateContinuityPlan');
const OutcomeBody = z.strictObject({ outcome: z.enum(['passed', 'failed']), notes: z.string().trim().min(3, 'say what was tested and what happened').max(10_000) }).openapi('ContinuityTestOutcome');

/** Continuity plans per service; their yearly tests come from the `continuity-tests` Schedule. */
export function continuityRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const sendToTest = recordUpdater(deps.temporal, 'continuity test', (id) => prisma.continuityTest.findUnique({ where: { id }, select: { state: true } }));

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/continuity-plans',
    summary: 'Record a service continuity plan (tested yearly)',
    tags: ['continuity'],
    roles: MANAGERS,
    body: CreatePlanBody,
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid() }) } },
    async handler({ body }) {
      if (!(await prisma.service.findUnique({ where: { id: body.serviceId } }))) throw httpErrors.validation([{ location: 'body', field: 'serviceId', message: `no service ${body.serviceId}`, code: 'unknown_reference' }]);
      if (!(await prisma.user.findUnique({ where: { id: body.ownerId } }))) throw httpErrors.validation([{ location: 'body', field: 'ownerId', message: `no user ${body.ownerId}`, code: 'unknown_reference' }]);
      const plan = await prisma.continuityPlan.create({ data: body });
      return { status: 201, body: { id: plan.id } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/continuity-plans/:id',
    summary: 'One continuity plan with its tests and their outcomes',
    tags: ['continuity'],
    roles: STAFF,
    params: IdParams,
    responses: { 200: { description: 'The plan' }, 404: { description: 'No such plan' } },
    async handler({ params }) {
      const plan = await prisma.continuityPlan.findUnique({ where: { id: params.id }, include: { tests: { orderBy: { createdAt: 'asc' } } } });
      if (!plan) throw httpErrors.notFound(`no continuity plan ${params.id}`);
      return { status: 200, body: plan };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/continuity-tests/:id/outcome',
    summary: "Record a continuity test's outcome (the plan's owner or a manager); a failure raises a corrective action",
    tags: ['continuity'],
    roles: EVERYONE,
    params: IdParams,
    body: OutcomeBody,
    responses: { 200: { description: 'Recorded' }, 404: { description: 'No such test' }, 409: { description: 'Not due (currentState in the body)' } },
    async handler({ params, body, principal }) {
      const test = await prisma.continuityTest.findUnique({ where: { id: params.id } });
      if (!test) throw httpErrors.notFound(`no continuity test ${params.id}`);
      const status = await sendToTest(test, recordTestOutcomeUpdate, { actorId: principal.id, mayRecord: hasAnyRole(principal, MANAGERS), ...body });
      return { status: 200, body: status };
    },
  });
}
