import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../route';
import { UserSchema } from '../schemas/user';

export function userRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/users',
    summary: 'People and their roles (managers and administrators)',
    tags: ['users'],
    roles: ['manager', 'admin'],
    responses: { 200: { description: 'Users', schema: z.object({ items: z.array(UserSchema) }) } },
    async handler() {
      const users = await deps.prisma.user.findMany({ orderBy: { email: 'asc' } });
      return { status: 200, body: { items: users.map(({ id, email, name, locale, roles }) => ({ id, email, name, locale, roles })) } };
    },
  });
}
