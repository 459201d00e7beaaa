import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { isoOrNull } from '../../domain/instants';
import { isPriorityMatrix } from '../../domain/priority';
import { Prisma, type Service } from '../../prisma/generated/client';
import { activeGroupIssue, activeUserIssue } from '../active-references';
import { EVERYONE, MANAGERS } from '../auth';
import type { ApiDeps } from '../deps';
import { duplicate, orDuplicate } from '../duplicates';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { EmptyBody } from '../schemas/incident';
import { CreateServiceBody, ListServicesQuery, ServiceIdParams, ServiceSchema, UpdateServiceBody } from '../schemas/service';

function serviceView(service: Service) {
  return {
    id: service.id,
    code: service.code,
    name: service.name,
    description: service.description,
    ownerId: service.ownerId,
    defaultGroupId: service.defaultGroupId,
    priorityMatrix: isPriorityMatrix(service.priorityMatrix) ? service.priorityMatrix : null,
    slaTargetPercent: service.slaTargetPercent,
    mailAddress: service.mailAddress,
    availabilityTargetPercent: service.availabilityTargetPercent,
    serviceHoursCalendarId: service.serviceHoursCalendarId,
    retired: service.retiredAt !== null,
    retiredAt: isoOrNull(service.retiredAt),
    createdAt: service.createdAt.toISOString(),
    updatedAt: service.updatedAt.toISOString(),
  };
}

/**
 * The service catalogue. Managers keep it with administrators: a service's owner, default group, priority matrix,
 * SLA and availability targets and service hours are service-level decisions, as its SLA policies and calendars are.
 */
export function serviceRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const load = (id: string) => foundOr404(prisma.service.findUnique({ where: { id } }), `service ${id}`);
  async function refuseInactiveReferences(body: { ownerId?: string; defaultGroupId?: string; serviceHoursCalendarId?: string | null }) {
    const issues = await Promise.all([
      body.ownerId ? activeUserIssue(prisma, body.ownerId, 'ownerId') : null,
      body.defaultGroupId ? activeGroupIssue(prisma, body.defaultGroupId, 'defaultGroupId') : null,
      body.serviceHoursCalendarId ? calendarIssue(body.serviceHoursCalendarId) : null,
    ]);
    const found = issues.filter((issue): issue is FieldIssue => issue !== null);
    if (found.length > 0) throw httpErrors.validation(found);
  }
  /** One address opens incidents for one service only, or mail to it would land on whichever was found first. */
  async function refuseTakenMailAddress(mailAddress: string | null | undefined, serviceId?: string) {
    if (!mailAddress) return;
    const holder = await prisma.service.findUnique({ where: { mailAddress } });
    if (holder && holder.id !== serviceId) throw duplicate('mailAddress', `service ${holder.code} already takes mail at ${mailAddress}`);
  }
  async function calendarIssue(id: string): Promise<FieldIssue | null> {
    if (await prisma.businessCalendar.findUnique({ where: { id } })) return null;
    return { location: 'body', field: 'serviceHoursCalendarId', message: `no calendar ${id}`, code: 'unknown_reference' };
  }
  // Prisma writes SQL NULL into a Json? column only when asked for it by name.
  const matrixColumn = (matrix: object | null | undefined) => (matrix === null ? Prisma.DbNull : matrix);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/services',
    summary: 'The service catalogue',
    tags: ['services'],
    roles: EVERYONE,
    query: ListServicesQuery,
    responses: { 200: { description: 'Services', schema: z.object({ items: z.array(ServiceSchema) }) } },
    async handler({ query }) {
      const where = query.retired === undefined ? {} : { retiredAt: query.retired ? { not: null } : null };
      const services = await prisma.service.findMany({ where, orderBy: { code: 'asc' } });
      return { status: 200, body: { items: services.map(serviceView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/services/:id',
    summary: 'One service',
    tags: ['services'],
    roles: EVERYONE,
    params: ServiceIdParams,
    responses: { 200: { description: 'The service', schema: ServiceSchema }, 404: { description: 'No such service' } },
    async handler({ params }) {
      return { status: 200, body: serviceView(await load(params.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/services',
    summary: 'Add a service to the catalogue, with its owner and default assignment group (managers and administrators)',
    tags: ['services'],
    roles: MANAGERS,
    body: CreateServiceBody,
    responses: { 201: { description: 'Created', schema: ServiceSchema }, 409: { description: 'A service with that code exists' } },
    async handler({ body, res }) {
      await refuseInactiveReferences(body);
      const taken = `a service with code ${body.code} exists`;
      if (await prisma.service.findUnique({ where: { code: body.code } })) throw duplicate('code', taken);
      await refuseTakenMailAddress(body.mailAddress);
      const service = await orDuplicate(prisma.service.create({ data: body }), 'code', taken);
      res.location(`/api/services/${service.id}`);
      return { status: 201, body: serviceView(service) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/services/:id',
    summary: "Change a service's name, description, owner, default assignment group, priority matrix, SLA target, mail address, service hours or availability target (managers and administrators)",
    tags: ['services'],
    roles: MANAGERS,
    params: ServiceIdParams,
    body: UpdateServiceBody,
    responses: { 200: { description: 'Updated', schema: ServiceSchema }, 404: { description: 'No such service' } },
    async handler({ params, body }) {
      const service = await load(params.id);
      await refuseInactiveReferences(body);
      await refuseTakenMailAddress(body.mailAddress, service.id);
      const updated = await orDuplicate(
        prisma.service.update({ where: { id: service.id }, data: { ...body, priorityMatrix: matrixColumn(body.priorityMatrix) } }),
        'mailAddress',
        `another service already takes mail at ${body.mailAddress}`,
      );
      return { status: 200, body: serviceView(updated) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/services/:id/retire',
    summary: 'Retire a service: it takes no new incidents (409 at intake); its records and history stay (managers and administrators)',
    tags: ['services'],
    roles: MANAGERS,
    params: ServiceIdParams,
    body: EmptyBody,
    responses: { 200: { description: 'Retired', schema: ServiceSchema }, 404: { description: 'No such service' }, 409: { description: 'The service is already retired' } },
    async handler({ params }) {
      const service = await load(params.id);
      const { count } = await prisma.service.updateMany({ where: { id: service.id, retiredAt: null }, data: { retiredAt: new Date() } });
      if (count === 0) {
        const current = await load(service.id);
        throw httpErrors.conflict(`service ${service.code} is already retired`, { currentState: 'retired', retiredAt: isoOrNull(current.retiredAt) });
      }
      return { status: 200, body: serviceView(await load(service.id)) };
    },
  });
}
