import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { cisWithAlerts } from '../../activities/asset-alerts';
import { impactOf } from '../../records/ci-impact';
import type { Prisma } from '../../prisma/generated/client';
import { STAFF } from '../auth';
import { resolveCi } from '../ci-references';
import { ciView, createCi, updateCi } from '../ci-records';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { CiIdParams, CiSchema, CreateCiBody, CreateRelationshipBody, ImpactQuery, ImpactSchema, ListCisQuery, RelationshipParams, RelationshipSchema, UpdateCiBody } from '../schemas/ci';

const RELATED = { source: { select: { id: true, code: true, name: true } }, target: { select: { id: true, code: true, name: true } } } as const;

export function ciRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const findCi = (id: string) => foundOr404(prisma.configurationItem.findUnique({ where: { id } }), `configuration item ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/cis',
    summary: 'Configuration items, by code',
    tags: ['cmdb'],
    roles: STAFF,
    query: ListCisQuery,
    responses: { 200: { description: 'Configuration items', schema: z.object({ items: z.array(CiSchema) }) } },
    async handler({ query }) {
      const where: Prisma.ConfigurationItemWhereInput = {
        type: query.type,
        status: query.status,
        OR: query.q ? [{ code: { contains: query.q, mode: 'insensitive' } }, { name: { contains: query.q, mode: 'insensitive' } }] : undefined,
      };
      const items = await prisma.configurationItem.findMany({ where, orderBy: { code: 'asc' }, take: query.limit });
      return { status: 200, body: { items: items.map((ci) => ciView(ci)) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/cis',
    summary: 'Record a configuration item; its attributes are checked against its type',
    tags: ['cmdb'],
    roles: STAFF,
    body: CreateCiBody,
    responses: { 201: { description: 'Recorded', schema: CiSchema }, 409: { description: 'The code (or the service) is taken' } },
    async handler({ body, principal, res }) {
      const ci = await createCi(prisma, body, principal.id);
      res.location(`/api/cis/${ci.id}`);
      return { status: 201, body: ciView(ci) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/ci-alerts',
    summary: 'Asset alerts: licences with more seats in use than bought, warranties ending within 30 days or ended (owners are mailed daily)',
    tags: ['cmdb'],
    roles: STAFF,
    responses: { 200: { description: 'CIs that need attention', schema: z.object({ items: z.array(CiSchema) }) } },
    async handler() {
      const now = Date.now();
      return { status: 200, body: { items: (await cisWithAlerts(prisma, now)).map((ci) => ciView(ci, now)) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/cis/:id',
    summary: 'One configuration item with its relationships and the history of every change to it',
    tags: ['cmdb'],
    roles: STAFF,
    params: CiIdParams,
    responses: { 200: { description: 'The CI', schema: CiSchema.extend({ relationships: z.array(RelationshipSchema), history: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such CI' } },
    async handler({ params }) {
      const ci = await findCi(params.id);
      const [relationships, history] = await Promise.all([
        prisma.ciRelationship.findMany({ where: { OR: [{ sourceId: ci.id }, { targetId: ci.id }] }, include: RELATED, orderBy: { createdAt: 'asc' } }),
        prisma.ciHistory.findMany({ where: { ciId: ci.id }, orderBy: { at: 'asc' } }),
      ]);
      return {
        status: 200,
        body: {
          ...ciView(ci),
          relationships: relationships.map(({ id, type, source, target }) => ({ id, type, source, target })),
          history: history.map(({ kind, actorId, changeRequestId, at, diff }) => ({ kind, actorId, changeRequestId, at: at.toISOString(), diff })),
        },
      };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/cis/:id',
    summary: 'Edit a configuration item; what changed is kept in its history with the actor and the change request',
    tags: ['cmdb'],
    roles: STAFF,
    params: CiIdParams,
    body: UpdateCiBody,
    responses: { 200: { description: 'The CI as it is now', schema: CiSchema }, 404: { description: 'No such CI' } },
    async handler({ params, body, principal }) {
      return { status: 200, body: ciView(await updateCi(prisma, await findCi(params.id), body, principal.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/cis/:id/impact',
    summary: 'Impact analysis: the CIs and services affected downstream (and relied on upstream), to a depth',
    tags: ['cmdb'],
    roles: STAFF,
    params: CiIdParams,
    query: ImpactQuery,
    responses: { 200: { description: 'The impact', schema: ImpactSchema }, 404: { description: 'No such CI' } },
    async handler({ params, query }) {
      const ci = await findCi(params.id);
      const { downstream, upstream } = await impactOf(prisma, [ci.id], query.depth);
      return { status: 200, body: { ci: { id: ci.id, code: ci.code }, depth: query.depth, downstream, upstream } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/cis/:id/relationships',
    summary: "A CI's relationships, both directions",
    tags: ['cmdb'],
    roles: STAFF,
    params: CiIdParams,
    responses: { 200: { description: 'Relationships', schema: z.object({ items: z.array(RelationshipSchema) }) }, 404: { description: 'No such CI' } },
    async handler({ params }) {
      const ci = await findCi(params.id);
      const items = await prisma.ciRelationship.findMany({ where: { OR: [{ sourceId: ci.id }, { targetId: ci.id }] }, include: RELATED, orderBy: { createdAt: 'asc' } });
      return { status: 200, body: { items: items.map(({ id, type, source, target }) => ({ id, type, source, target })) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/cis/:id/relationships',
    summary: 'Relate this CI to another ("<this> <type> <target>"); recorded in both CIs\' history',
    tags: ['cmdb'],
    roles: STAFF,
    params: CiIdParams,
    body: CreateRelationshipBody,
    responses: { 201: { description: 'Related', schema: RelationshipSchema }, 404: { description: 'No such CI' }, 409: { description: 'Already related so' } },
    async handler({ params, body, principal }) {
      const source = await findCi(params.id);
      const target = await resolveCi(prisma, body.target, 'target');
      if (target.id === source.id) throw httpErrors.validation([{ location: 'body', field: 'target', message: 'a CI cannot be related to itself', code: 'custom' }]);
      if (await prisma.ciRelationship.findUnique({ where: { sourceId_targetId_type: { sourceId: source.id, targetId: target.id, type: body.type } } })) {
        throw httpErrors.conflict(`${source.code} ${body.type} ${target.code} is already recorded`);
      }
      if (body.changeId && !(await prisma.changeRequest.findUnique({ where: { id: body.changeId } }))) {
        throw httpErrors.validation([{ location: 'body', field: 'changeId', message: `no change ${body.changeId}`, code: 'unknown_reference' }]);
      }
      const diff = { relationship: `${source.code} ${body.type} ${target.code}` };
      const [relationship] = await prisma.$transaction([
        prisma.ciRelationship.create({ data: { sourceId: source.id, targetId: target.id, type: body.type }, include: RELATED }),
        prisma.ciHistory.createMany({ data: [source, target].map((ci) => ({ ciId: ci.id, kind: 'relationship-added', actorId: principal.id, changeRequestId: body.changeId, diff })) }),
      ]);
      return { status: 201, body: { id: relationship.id, type: relationship.type, source: relationship.source, target: relationship.target } };
    },
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/api/cis/:id/relationships/:relationshipId',
    summary: 'Remove a relationship; recorded in both CIs\' history',
    tags: ['cmdb'],
    roles: STAFF,
    params: RelationshipParams,
    responses: { 200: { description: 'Removed', schema: RelationshipSchema }, 404: { description: 'No such relationship on this CI' } },
    async handler({ params, principal }) {
      const relationship = await foundOr404(prisma.ciRelationship.findFirst({ where: { id: params.relationshipId, OR: [{ sourceId: params.id }, { targetId: params.id }] }, include: RELATED }), `relationship ${params.relationshipId} on configuration item ${params.id}`);
      const diff = { relationship: `${relationship.source.code} ${relationship.type} ${relationship.target.code}` };
      await prisma.$transaction([
        prisma.ciRelationship.delete({ where: { id: relationship.id } }),
        prisma.ciHistory.createMany({ data: [relationship.sourceId, relationship.targetId].map((ciId) => ({ ciId, kind: 'relationship-removed', actorId: principal.id, diff })) }),
      ]);
      return { status: 200, body: { id: relationship.id, type: relationship.type, source: relationship.source, target: relationship.target } };
    },
  });
}
