import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { isoOrNull } from '../../domain/instants';
import type { CatalogItem, Prisma } from '../../prisma/generated/client';
import { EVERYONE, MANAGERS, STAFF } from '../auth';
import { recordCatalogItemVersion } from '../catalog-item-versions';
import type { ApiDeps } from '../deps';
import { orDuplicate } from '../duplicates';
import { foundOr404, httpErrors } from '../problem-details';
import { checkItemReferences } from '../request-intake';
import { defineRoute } from '../route';
import { CatalogItemIdParams, CatalogItemSchema, CreateCatalogItemBody, ListCatalogQuery, UpdateCatalogItemBody } from '../schemas/catalog';

const itemView = (item: CatalogItem) => ({ ...item, retiredAt: isoOrNull(item.retiredAt), createdAt: item.createdAt.toISOString(), updatedAt: item.updatedAt.toISOString() });
const json = (value: unknown) => value as Prisma.InputJsonObject;

/** The service catalogue: everyone reads what they can order; managers define items, each change a new version. */
export function catalogRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const load = (id: string) => foundOr404(prisma.catalogItem.findUnique({ where: { id } }), `catalogue item ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/catalog-items',
    summary: 'The catalogue: the items that take requests, with their forms (everyone)',
    tags: ['catalogue'],
    roles: EVERYONE,
    query: ListCatalogQuery,
    responses: { 200: { description: 'Items', schema: z.object({ items: z.array(CatalogItemSchema) }) } },
    async handler({ query }) {
      const items = await prisma.catalogItem.findMany({ where: { serviceId: query.serviceId, retiredAt: null }, orderBy: { code: 'asc' } });
      return { status: 200, body: { items: items.map(itemView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/catalog-items/:id',
    summary: 'One catalogue item',
    tags: ['catalogue'],
    roles: EVERYONE,
    params: CatalogItemIdParams,
    responses: { 200: { description: 'The item', schema: CatalogItemSchema }, 404: { description: 'No such item' } },
    async handler({ params }) {
      return { status: 200, body: itemView(await load(params.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/catalog-items',
    summary: 'Add an item to a service’s catalogue (version 1; managers)',
    tags: ['catalogue'],
    roles: MANAGERS,
    body: CreateCatalogItemBody,
    responses: { 201: { description: 'Created', schema: CatalogItemSchema }, 409: { description: 'Another item has that code' } },
    async handler({ body, principal, res }) {
      await checkItemReferences(prisma, body);
      const created = await prisma.$transaction(async (tx) => {
        const item = await orDuplicate(
          tx.catalogItem.create({ data: { ...body, form: json(body.form), approval: json(body.approval), fulfilment: json(body.fulfilment) } }),
          'code',
          `another catalogue item has the code ${body.code}`,
        );
        await recordCatalogItemVersion(tx, item, principal.id, 'created');
        return item;
      });
      res.location(`/api/catalog-items/${created.id}`);
      return { status: 201, body: itemView(created) };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/catalog-items/:id',
    summary: 'Change an item: a new version with who and why; requests already submitted keep the version they were submitted with (managers)',
    tags: ['catalogue'],
    roles: MANAGERS,
    params: CatalogItemIdParams,
    body: UpdateCatalogItemBody,
    responses: { 200: { description: 'The changed item', schema: CatalogItemSchema }, 404: { description: 'No such item' }, 409: { description: 'Changed by someone else meanwhile' } },
    async handler({ params, body, principal }) {
      const current = await load(params.id);
      const { reason, ...fields } = body;
      await checkItemReferences(prisma, fields);
      const updated = await prisma.$transaction(async (tx) => {
        // Conditional on the version read: of two concurrent edits, the second fails instead of overwriting the first.
        const moved = await tx.catalogItem.updateMany({
          where: { id: current.id, version: current.version },
          data: { ...fields, form: json(fields.form), approval: json(fields.approval), fulfilment: json(fields.fulfilment), version: current.version + 1 },
        });
        if (moved.count === 0) throw httpErrors.conflict('the item was changed by someone else meanwhile; read it again and retry', { currentVersion: current.version + 1 });
        const item = await tx.catalogItem.findUniqueOrThrow({ where: { id: current.id } });
        await recordCatalogItemVersion(tx, item, principal.id, reason);
        return item;
      });
      return { status: 200, body: itemView(updated) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/catalog-items/:id/versions',
    summary: "An item's history: every version with its settings, who changed it, when and why (newest first; staff)",
    tags: ['catalogue'],
    roles: STAFF,
    params: CatalogItemIdParams,
    responses: { 200: { description: 'Versions' }, 404: { description: 'No such item' } },
    async handler({ params }) {
      await load(params.id);
      const versions = await prisma.catalogItemVersion.findMany({ where: { itemId: params.id }, orderBy: { version: 'desc' } });
      return { status: 200, body: { items: versions.map(({ version, settings, changedById, reason, createdAt }) => ({ version, settings, changedById, reason, changedAt: createdAt.toISOString() })) } };
    },
  });
}
