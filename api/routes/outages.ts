import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { availabilityBreached } from '../../domain/availability';
import { isoOrNull } from '../../domain/instants';
import type { Outage } from '../../prisma/generated/client';
import { serviceAvailability } from '../../records/outages';
import { EVERYONE, MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { AvailabilityQuery, AvailabilitySchema, CreateOutageBody, ListOutagesQuery, OutageIdParams, OutageSchema, UpdateOutageBody } from '../schemas/outage';
import { ServiceIdParams } from '../schemas/service';

function outageView(outage: Outage) {
  return {
    id: outage.id,
    serviceId: outage.serviceId,
    startedAt: outage.startedAt.toISOString(),
    endedAt: isoOrNull(outage.endedAt),
    planned: outage.planned,
    source: outage.sourceKey === null ? ('manager' as const) : outage.changeId ? ('change' as const) : ('incident' as const),
    incidentId: outage.incidentId,
    changeId: outage.changeId,
    description: outage.description,
    correctedAt: isoOrNull(outage.correctedAt),
    correctedById: outage.correctedById,
    correctionReason: outage.correctionReason,
  };
}

/**
 * Outages and the availability measured from them (ISO/IEC 20000-1 clause 8.7.2). Processes open and end most
 * outages; managers record the others and correct any, because the figure answers to the service's target.
 */
export function outageRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const service = (id: string) => foundOr404(prisma.service.findUnique({ where: { id } }), `service ${id}`);

  async function refuseUnknownLinks(body: { incidentId?: string; changeId?: string }) {
    const issues: FieldIssue[] = [];
    if (body.incidentId && !(await prisma.incident.findUnique({ where: { id: body.incidentId } }))) issues.push({ location: 'body', field: 'incidentId', message: `no incident ${body.incidentId}`, code: 'unknown_reference' });
    if (body.changeId && !(await prisma.changeRequest.findUnique({ where: { id: body.changeId } }))) issues.push({ location: 'body', field: 'changeId', message: `no change ${body.changeId}`, code: 'unknown_reference' });
    if (issues.length > 0) throw httpErrors.validation(issues);
  }

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/services/:id/outages',
    summary: "A service's outages, newest first",
    tags: ['services'],
    roles: STAFF,
    params: ServiceIdParams,
    query: ListOutagesQuery,
    responses: { 200: { description: 'Outages', schema: z.object({ items: z.array(OutageSchema) }) }, 404: { description: 'No such service' } },
    async handler({ params, query }) {
      await service(params.id);
      const rows = await prisma.outage.findMany({
        where: { serviceId: params.id, ...(query.to ? { startedAt: { lt: new Date(query.to) } } : {}), ...(query.from ? { OR: [{ endedAt: null }, { endedAt: { gt: new Date(query.from) } }] } : {}) },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: query.limit,
      });
      return { status: 200, body: { items: rows.map(outageView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/services/:id/outages',
    summary: 'Record an outage no process opened, e.g. one found by monitoring (managers and administrators)',
    tags: ['services'],
    roles: MANAGERS,
    params: ServiceIdParams,
    body: CreateOutageBody,
    responses: { 201: { description: 'Recorded', schema: OutageSchema }, 404: { description: 'No such service' } },
    async handler({ params, body, principal, res }) {
      await service(params.id);
      await refuseUnknownLinks(body);
      const { startedAt, endedAt, ...rest } = body;
      const outage = await prisma.outage.create({ data: { ...rest, serviceId: params.id, startedAt: new Date(startedAt), endedAt: endedAt === null ? null : new Date(endedAt), recordedById: principal.id } });
      res.location(`/api/outages/${outage.id}`);
      return { status: 201, body: outageView(outage) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/outages/:id',
    summary: "Correct an outage's times, planned flag or description, with the reason (managers and administrators)",
    tags: ['services'],
    roles: MANAGERS,
    params: OutageIdParams,
    body: UpdateOutageBody,
    responses: { 200: { description: 'Corrected', schema: OutageSchema }, 404: { description: 'No such outage' } },
    async handler({ params, body, principal }) {
      const outage = await foundOr404(prisma.outage.findUnique({ where: { id: params.id } }), `outage ${params.id}`);
      const { reason, startedAt, endedAt, ...rest } = body;
      const start = startedAt ? new Date(startedAt) : outage.startedAt;
      const end = endedAt === undefined ? outage.endedAt : endedAt === null ? null : new Date(endedAt);
      if (end !== null && end <= start) {
        const field = endedAt === undefined ? 'startedAt' : 'endedAt';
        throw httpErrors.validation([{ location: 'body', field, message: `the outage would end (${end.toISOString()}) before it starts (${start.toISOString()})`, code: 'custom' }]);
      }
      const corrected = await prisma.outage.update({ where: { id: outage.id }, data: { ...rest, startedAt: start, endedAt: end, correctedById: principal.id, correctedAt: new Date(), correctionReason: reason } });
      return { status: 200, body: outageView(corrected) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/services/:id/availability',
    summary: "A service's availability over a period: its agreed service hours, planned downtime left out, against its target",
    tags: ['services'],
    roles: EVERYONE,
    params: ServiceIdParams,
    query: AvailabilityQuery,
    responses: { 200: { description: 'Availability', schema: AvailabilitySchema }, 404: { description: 'No such service' } },
    async handler({ params, query }) {
      const found = await foundOr404(prisma.service.findUnique({ where: { id: params.id }, include: { serviceHoursCalendar: true } }), `service ${params.id}`);
      const from = new Date(query.from);
      const to = new Date(query.to);
      const now = new Date();
      const figures = await serviceAvailability(prisma, found, from, to, now);
      const targetPercent = found.availabilityTargetPercent;
      return {
        status: 200,
        body: {
          serviceId: found.id,
          from: from.toISOString(),
          to: to.toISOString(),
          measuredUntil: new Date(Math.min(to.getTime(), Math.max(now.getTime(), from.getTime()))).toISOString(),
          serviceHoursCalendarId: found.serviceHoursCalendarId,
          ...figures,
          targetPercent,
          targetMet: figures.availabilityPercent === null || targetPercent === null ? null : !availabilityBreached(figures.availabilityPercent, targetPercent),
        },
      };
    },
  });
}
