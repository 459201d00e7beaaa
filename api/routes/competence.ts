import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { completeCompetenceReviewUpdate } from '../../workflows/competence-review.messages';
import { hasAnyRole, MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { recordUpdater } from '../workflow-updates';

const IdParams = z.strictObject({ id: z.uuid('must be an id (UUID)') });
const day = z.iso.date('must be a date (YYYY-MM-DD)');
const CreateCompetenceBody = z
  .strictObject({
    userId: z.uuid('must be a user id (UUID)'),
    skill: z.string().trim().min(2).max(200),
    level: z.enum(['basic', 'practitioner', 'expert']),
    trainedOn: day.optional(),
    certification: z.string().trim().min(2).max(200).optional(),
    expiresOn: day.optional(),
  })
  .openapi('CreateCompetence');

/** Staff competence records and their yearly reviews (the reviews come from the `competence-reviews` Schedule). */
export function competenceRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const asDate = (value?: string) => (value ? new Date(value) : undefined);
  const sendToReview = recordUpdater(deps.temporal, 'competence review', (id) => prisma.competenceReview.findUnique({ where: { id }, select: { state: true } }));

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/competences',
    summary: "Record a person's skill, training or certification (with its expiry, reminded 30 days ahead)",
    tags: ['competence'],
    roles: MANAGERS,
    body: CreateCompetenceBody,
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid() }) } },
    async handler({ body }) {
      if (!(await prisma.user.findUnique({ where: { id: body.userId } }))) throw httpErrors.validation([{ location: 'body', field: 'userId', message: `no user ${body.userId}`, code: 'unknown_reference' }]);
      const competence = await prisma.competence.create({ data: { ...body, trainedOn: asDate(body.trainedOn), expiresOn: asDate(body.expiresOn) } });
      return { status: 201, body: { id: competence.id } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/users/:id/competences',
    summary: "A person's competences and competence reviews",
    tags: ['competence'],
    roles: STAFF,
    params: IdParams,
    responses: { 200: { description: 'Competences and reviews' } },
    async handler({ params }) {
      const [competences, reviews] = await Promise.all([
        prisma.competence.findMany({ where: { userId: params.id }, orderBy: { skill: 'asc' } }),
        prisma.competenceReview.findMany({ where: { userId: params.id }, orderBy: { year: 'asc' } }),
      ]);
      return { status: 200, body: { competences, reviews } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/competence-reviews/:id/complete',
    summary: 'Complete a competence review (a manager, not the person reviewed)',
    tags: ['competence'],
    roles: MANAGERS,
    params: IdParams,
    body: z.strictObject({ summary: z.string().trim().min(3, 'say what was reviewed').max(10_000) }),
    responses: { 200: { description: 'Done' }, 404: { description: 'No such review' }, 409: { description: 'Not due (currentState in the body)' } },
    async handler({ params, body, principal }) {
      const review = await prisma.competenceReview.findUnique({ where: { id: params.id } });
      if (!review) throw httpErrors.notFound(`no competence review ${params.id}`);
      const status = await sendToReview(review, completeCompetenceReviewUpdate, { actorId: principal.id, isManager: hasAnyRole(principal, MANAGERS), summary: body.summary });
      return { status: 200, body: status };
    },
  });
}
