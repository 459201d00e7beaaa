import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { EVERYONE } from '../auth';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../route';
import { ServiceSchema } from '../schemas/service';

export function serviceRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/services',
    summary: 'The service catalogue',
    tags: ['services'],
    roles: EVERYONE,
    responses: { 200: { description: 'Services', schema: z.object({ items: z.array(ServiceSchema) }) } },
    async handler() {
      const services = await deps.prisma.service.findMany({ orderBy: { code: 'asc' } });
      return {
        status: 200,
        body: { items: services.map(({ id, code, name, description, ownerId }) => ({ id, code, name, description, ownerId })) },
      };
    },
  });
}
