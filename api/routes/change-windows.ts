import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { MANAGERS } from '../auth';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { BlackoutBody, MaintenanceWindowBody, WindowIdParams, WindowListQuery } from '../schemas/change';
import { CHANGE_STAFF } from './changes';


interface WindowRow {
  id: string;
  serviceId: string | null;
  name: string;
  startsAt: Date;
  endsAt: Date;
  createdAt: Date;
}

/** The calls both kinds of window share; each Prisma delegate satisfies it with its own row type. */
interface WindowDelegate<Row extends WindowRow> {
  findMany(args: object): Promise<Row[]>;
  findUnique(args: { where: { id: string } }): Promise<Row | null>;
  create(args: { data: never }): Promise<Row>;
  update(args: { where: { id: string }; data: never }): Promise<Row>;
  delete(args: { where: { id: string } }): Promise<Row>;
}

function view(row: WindowRow) {
  return { ...row, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), createdAt: row.createdAt.toISOString() };
}

/** CRUD for one kind of window: staff read, managers write; an unknown service is a 400 naming serviceId. */
function windowResource<Row extends WindowRow>(
  router: Router,
  registry: OpenAPIRegistry,
  deps: ApiDeps,
  resource: { path: string; noun: string; body: typeof MaintenanceWindowBody | typeof BlackoutBody; delegate: () => WindowDelegate<Row> },
) {
  const tags = ['change windows'];
  const Item = z.object({ id: z.uuid(), serviceId: z.uuid().nullable(), name: z.string(), startsAt: z.string(), endsAt: z.string() }).passthrough();
  const notFound = (id: string) => httpErrors.notFound(`no ${resource.noun} ${id}`);
  async function checkService(serviceId: string | null) {
    if (serviceId && !(await deps.prisma.service.findUnique({ where: { id: serviceId } }))) {
      throw httpErrors.validation([{ location: 'body', field: 'serviceId', message: `no service with id ${serviceId}`, code: 'unknown_reference' }]);
    }
  }
  const data = (body: z.infer<typeof resource.body>) => ({ ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) }) as never;

  defineRoute(router, registry, {
    method: 'get',
    path: resource.path,
    summary: `List ${resource.noun}s (optionally for one service and overlapping from–to)`,
    tags,
    roles: CHANGE_STAFF,
    query: WindowListQuery,
    responses: { 200: { description: 'The list', schema: z.object({ items: z.array(Item) }) } },
    async handler({ query }) {
      const rows = await resource.delegate().findMany({
        where: {
          serviceId: query.serviceId,
          startsAt: query.to ? { lt: new Date(query.to) } : undefined,
          endsAt: query.from ? { gt: new Date(query.from) } : undefined,
        },
        orderBy: { startsAt: 'asc' },
      });
      return { status: 200, body: { items: rows.map(view) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: resource.path,
    summary: `Create a ${resource.noun}`,
    tags,
    roles: MANAGERS,
    body: resource.body,
    responses: { 201: { description: 'Created', schema: Item } },
    async handler({ body, res }) {
      await checkService(body.serviceId);
      const row = await resource.delegate().create({ data: data(body) });
      res.location(`${resource.path}/${row.id}`);
      return { status: 201, body: view(row) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: `${resource.path}/:id`,
    summary: `One ${resource.noun}`,
    tags,
    roles: CHANGE_STAFF,
    params: WindowIdParams,
    responses: { 200: { description: `The ${resource.noun}`, schema: Item }, 404: { description: 'Not found' } },
    async handler({ params }) {
      const row = await resource.delegate().findUnique({ where: { id: params.id } });
      if (!row) throw notFound(params.id);
      return { status: 200, body: view(row) };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: `${resource.path}/:id`,
    summary: `Replace a ${resource.noun}`,
    tags,
    roles: MANAGERS,
    params: WindowIdParams,
    body: resource.body,
    responses: { 200: { description: 'Updated', schema: Item }, 404: { description: 'Not found' } },
    async handler({ params, body }) {
      if (!(await resource.delegate().findUnique({ where: { id: params.id } }))) throw notFound(params.id);
      await checkService(body.serviceId);
      return { status: 200, body: view(await resource.delegate().update({ where: { id: params.id }, data: data(body) })) };
    },
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: `${resource.path}/:id`,
    summary: `Delete a ${resource.noun}`,
    tags,
    roles: MANAGERS,
    params: WindowIdParams,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'Not found' } },
    async handler({ params }) {
      if (!(await resource.delegate().findUnique({ where: { id: params.id } }))) throw notFound(params.id);
      await resource.delegate().delete({ where: { id: params.id } });
      return { status: 204, body: undefined };
    },
  });
}

export function changeWindowRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  windowResource(router, registry, deps, { path: '/api/maintenance-windows', noun: 'maintenance window', body: MaintenanceWindowBody, delegate: () => deps.prisma.maintenanceWindow as never });
  windowResource(router, registry, deps, { path: '/api/blackout-periods', noun: 'blackout period', body: BlackoutBody, delegate: () => deps.prisma.blackoutPeriod as never });
}
