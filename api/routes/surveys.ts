import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { incidentReference } from '../../domain/incident';
import { requestReference } from '../../domain/request';
import { satisfactionFigures } from '../../domain/satisfaction';
import { STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../route';

const SurveysQuery = z.strictObject({
  serviceId: z.uuid('must be a service id (UUID)').optional(),
  answered: z.enum(['true', 'false']).optional(),
  since: z.iso.datetime({ message: 'must be an ISO 8601 date-time' }).optional().openapi({ description: 'surveys sent at or after this instant' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Satisfaction surveys sent after incidents and service requests closed, with their answers and a summary of the scores. */
export function surveyRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/surveys',
    summary: 'Satisfaction surveys, newest first, with the responses, average score and share satisfied (4 or 5)',
    tags: ['satisfaction'],
    roles: STAFF,
    query: SurveysQuery,
    responses: { 200: { description: 'Surveys and their summary' } },
    async handler({ query }) {
      const where = {
        OR: query.serviceId ? [{ incident: { serviceId: query.serviceId } }, { request: { item: { serviceId: query.serviceId } } }] : undefined,
        respondedAt: query.answered === undefined ? undefined : query.answered === 'true' ? { not: null } : null,
        sentAt: query.since ? { gte: new Date(query.since) } : undefined,
      };
      // The summary covers every survey the filter selects, not only the page of items.
      const [rows, sent, answered] = await Promise.all([
        deps.prisma.satisfactionSurvey.findMany({ where, include: { incident: { select: { number: true, serviceId: true } }, request: { select: { number: true, item: { select: { serviceId: true } } } } }, orderBy: { sentAt: 'desc' }, take: query.limit }),
        deps.prisma.satisfactionSurvey.count({ where }),
        deps.prisma.satisfactionSurvey.groupBy({ by: ['score'], where: { ...where, score: { not: null } }, _count: { _all: true } }),
      ]);
      const scores = answered.flatMap((group) => Array<number>(group._count._all).fill(group.score!));
      return {
        status: 200,
        body: {
          summary: { sent, ...satisfactionFigures(scores) },
          items: rows.map((row) => ({
            id: row.id,
            incidentId: row.incidentId,
            incident: row.incident ? incidentReference(row.incident.number) : null,
            requestId: row.requestId,
            request: row.request ? requestReference(row.request.number) : null,
            serviceId: row.incident?.serviceId ?? row.request!.item.serviceId,
            sentAt: row.sentAt.toISOString(),
            expiresAt: row.expiresAt.toISOString(),
            score: row.score,
            comment: row.comment,
            respondedAt: row.respondedAt?.toISOString() ?? null,
          })),
        },
      };
    },
  });
}
