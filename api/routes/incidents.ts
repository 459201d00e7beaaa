import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { impactOf } from '../../records/ci-impact';
import { problemReference } from '../../domain/problem';
import type { Prisma } from '../../prisma/generated/client';
import { EVERYONE, hasAnyRole, STAFF, type Principal } from '../auth';
import { activeUserIssue } from '../active-references';
import { incidentView } from '../incident-view';
import { openIncident } from '../intake';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { CreateIncidentBody, IncidentDetailSchema, IncidentIdParams, IncidentPage, IncidentSchema, ListIncidentsQuery } from '../schemas/incident';
import { incidentStatusQuery, type IncidentStatus } from '../../workflows/incident.messages';
import type { ApiDeps } from '../deps';
import { workflowLink } from '../workflow-links';

/** How far an incident's CIs' failure is followed to show what else it affects. */
const INCIDENT_IMPACT_DEPTH = 3;

export function incidentRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'post',
    path: '/api/incidents',
    summary: 'Raise an incident (staff may log one for a requester); its priority comes from the service matrix, routing picks its group, and its workflow starts at once',
    tags: ['incidents'],
    roles: EVERYONE,
    body: CreateIncidentBody,
    responses: {
      201: { description: 'Created', schema: IncidentSchema },
      409: { description: 'The service is retired, or has no SLA policy for the priority' },
      503: { description: 'Workflow engine unreachable; nothing was written' },
    },
    async handler({ body, principal, res }) {
      const { requesterId = principal.id, channel, ...intake } = body;
      if (requesterId !== principal.id) await checkLoggedOnBehalf(deps, principal, requesterId);
      const incident = await openIncident(deps, intake, { requesterId, loggedById: requesterId === principal.id ? null : principal.id, channel });
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
    summary: 'One incident with its live SLA clocks and its history (requesters see public events only)',
    tags: ['incidents'],
    roles: EVERYONE,
    params: IncidentIdParams,
    responses: { 200: { description: 'The incident', schema: IncidentDetailSchema }, 404: { description: 'No such incident (or not yours)' } },
    async handler({ params, principal }) {
      const incident = await deps.prisma.incident.findUnique({ where: { id: params.id } });
      const staff = hasAnyRole(principal, STAFF);
      // A requester asking for someone else's incident learns nothing about it, not even that it exists.
      if (!incident || (!staff && incident.requesterId !== principal.id)) {
        throw httpErrors.notFound(`no incident ${params.id}`);
      }
      const [clocks, events, cis, problemLinks, attachments] = await Promise.all([
        liveClocks(deps, incident.workflowId, incident.state),
        deps.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, ...(staff ? {} : { visibility: 'public' }) }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] }),
        deps.prisma.configurationItem.findMany({ where: { incidents: { some: { incidentId: incident.id } } }, select: { id: true, code: true, name: true }, orderBy: { code: 'asc' } }),
        deps.prisma.problemIncident.findMany({ where: { incidentId: incident.id }, include: { problem: true } }),
        deps.prisma.mailAttachment.findMany({ where: { incidentId: incident.id }, omit: { content: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      ]);
      const ciImpact = staff && cis.length > 0 ? await impactOf(deps.prisma, cis.map((ci) => ci.id), INCIDENT_IMPACT_DEPTH) : null;
      return {
        status: 200,
        body: {
          ...incidentView(incident),
          live: clocks !== null,
          clocks,
          events: events.map(({ type, at, actorId, fromState, toState, visibility, data }) => ({ type, at: at.toISOString(), actorId, fromState, toState, visibility, data })),
          cis,
          ciImpact: ciImpact && {
            services: [...new Map(ciImpact.downstream.services.map((s) => [s!.id, s!])).values()],
            cis: ciImpact.downstream.cis.map(({ id, code, name, depth }) => ({ id, code, name, depth })),
          },
          problems: problemLinks.map(({ problem }) => ({ id: problem.id, reference: problemReference(problem.number), title: problem.title, state: problem.state })),
          attachments: attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, sizeBytes: a.sizeBytes, stored: a.refusedReason === null, refusedReason: a.refusedReason, receivedAt: a.createdAt.toISOString() })),
          workflow: workflowLink(deps, incident.workflowId),
        },
      };
    },
  });
}

/** The clock as the workflow sees it now; null when the workflow has ended or cannot answer (the record's deadlines still do). */
async function liveClocks(deps: ApiDeps, workflowId: string, state: string): Promise<IncidentStatus | null> {
  if (state === 'closed') return null;
  try {
    return await deps.temporal.workflow.getHandle(workflowId).query(incidentStatusQuery);
  } catch (error) {
    deps.logger.warn({ err: error, workflowId }, 'live SLA clock unavailable; answering from the persisted deadlines');
    return null;
  }
}

/** Staff may log an incident for someone else (a phone call, a walk-in); a requester only for themselves. */
async function checkLoggedOnBehalf(deps: ApiDeps, principal: Principal, requesterId: string) {
  if (!hasAnyRole(principal, STAFF)) throw httpErrors.forbidden('only staff may log an incident on behalf of another person');
  const issue = await activeUserIssue(deps.prisma, requesterId, 'requesterId');
  if (issue) throw httpErrors.validation([issue]);
}
