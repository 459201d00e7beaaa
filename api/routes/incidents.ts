import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { Prisma } from '../../prisma/generated/client';
import { EVERYONE, hasAnyRole, STAFF } from '../auth';
import { incidentView } from '../incident-view';
import { openIncident } from '../intake';
import { problems } from '../problem';
import { defineRoute } from '../route';
import { CreateIncidentBody, IncidentIdParams, IncidentPage, IncidentSchema, ListIncidentsQuery } from '../schemas/incident';
import type { ApiDeps } from '../deps';

export function incidentRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'post',
    path: '/api/incidents',
    summary: 'Raise an incident; its priority comes from the service matrix and its workflow starts at once',
    tags: ['incidents'],
    roles: EVERYONE,
    body: CreateIncidentBody,
    responses: { 201: { description: 'Created', schema: IncidentSchema }, 503: { description: 'Workflow engine unreachable; nothing was written' } },
    async handler({ body, principal, res }) {
      const incident = await openIncident(deps, body, principal.id);
      res.location(`/api/incidents/${incident.id}`);
      return { status: 201, body: incidentView(incident) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/incidents',
    summary: 'List incidents, newest first (requesters see only their own)',
    tags: ['incidents'],
    roles: EVERYONE,
    query: ListIncidentsQuery,
    responses: { 200: { description: 'A page of incidents', schema: IncidentPage } },
    async handler({ query, principal }) {
      const where: Prisma.IncidentWhereInput = {
        state: query.state ? { in: query.state } : undefined,
        priority: query.priority ? { in: query.priority } : undefined,
        serviceId: query.serviceId,
        number: query.cursor ? { lt: query.cursor } : undefined,
        requesterId: hasAnyRole(principal, STAFF) ? undefined : principal.id,
      };
      const rows = await deps.prisma.incident.findMany({ where, orderBy: { number: 'desc' }, take: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      return {
        status: 200,
        body: { items: page.map(incidentView), nextCursor: rows.length > query.limit ? page[page.length - 1].number : null },
      };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/incidents/:id',
    summary: 'One incident',
    tags: ['incidents'],
    roles: EVERYONE,
    params: IncidentIdParams,
    responses: { 200: { description: 'The incident', schema: IncidentSchema }, 404: { description: 'No such incident (or not yours)' } },
    async handler({ params, principal }) {
      const incident = await deps.prisma.incident.findUnique({ where: { id: params.id } });
      // A requester asking for someone else's incident learns nothing about it, not even that it exists.
      if (!incident || (!hasAnyRole(principal, STAFF) && incident.requesterId !== principal.id)) {
        throw problems.notFound(`no incident ${params.id}`);
      }
      return { status: 200, body: incidentView(incident) };
    },
  });
}
