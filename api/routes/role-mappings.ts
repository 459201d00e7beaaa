import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { RoleMapping } from '../../prisma/generated/client';
import { activeGroupIssue } from '../active-references';
import { ADMINS } from '../auth';
import type { ApiDeps } from '../deps';
import { orDuplicate } from '../duplicates';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { forgetTokenGrants } from '../token-cache';
import { RoleMappingCreate, RoleMappingIdParams, RoleMappingSchema, RoleMappingUpdate } from '../schemas/role-mapping';

const mappingView = (mapping: RoleMapping) => ({ ...mapping, createdAt: mapping.createdAt.toISOString(), updatedAt: mapping.updatedAt.toISOString() });

async function refuseInactiveGroup(deps: ApiDeps, groupId: string | null | undefined) {
  const issue = groupId ? await activeGroupIssue(deps.prisma, groupId, 'groupId') : null;
  if (issue) throw httpErrors.validation([issue]);
}

// Roles grant access, so only administrators say which provider groups grant which; each change applies to a
// person at their next sign-in and to the next call with a provider access token (cached grants are dropped).
export function roleMappingRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const find = (id: string) => foundOr404(deps.prisma.roleMapping.findUnique({ where: { id } }), `role mapping ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/admin/role-mappings',
    summary: "What each of the identity provider's groups grants here: roles and a group membership",
    tags: ['admin'],
    roles: ADMINS,
    responses: { 200: { description: 'Mappings', schema: z.object({ items: z.array(RoleMappingSchema) }) } },
    async handler() {
      const mappings = await deps.prisma.roleMapping.findMany({ orderBy: { providerGroup: 'asc' } });
      return { status: 200, body: { items: mappings.map(mappingView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/admin/role-mappings',
    summary: 'Map a provider group to roles and/or a group here',
    tags: ['admin'],
    roles: ADMINS,
    body: RoleMappingCreate,
    responses: { 201: { description: 'The mapping', schema: RoleMappingSchema }, 409: { description: 'The provider group is mapped already' } },
    async handler({ body, res }) {
      await refuseInactiveGroup(deps, body.groupId);
      const mapping = await orDuplicate(deps.prisma.roleMapping.create({ data: body }), 'providerGroup', `the provider group "${body.providerGroup}" is mapped already; change that mapping instead`);
      forgetTokenGrants(deps.prisma);
      res.location(`/api/admin/role-mappings/${mapping.id}`);
      return { status: 201, body: mappingView(mapping) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/admin/role-mappings/:id',
    summary: "Change what a provider group grants (roles replace the mapping's roles)",
    tags: ['admin'],
    roles: ADMINS,
    params: RoleMappingIdParams,
    body: RoleMappingUpdate,
    responses: { 200: { description: 'The mapping', schema: RoleMappingSchema }, 404: { description: 'No such mapping' } },
    async handler({ params, body }) {
      const current = await find(params.id);
      await refuseInactiveGroup(deps, body.groupId);
      const roles = body.roles ?? current.roles;
      const groupId = body.groupId === undefined ? current.groupId : body.groupId;
      if (roles.length === 0 && !groupId) throw httpErrors.validation([{ location: 'body', field: 'roles', message: 'a mapping grants at least one role or a group', code: 'custom' }]);
      const mapping = await deps.prisma.roleMapping.update({ where: { id: params.id }, data: { roles, groupId } });
      forgetTokenGrants(deps.prisma);
      return { status: 200, body: mappingView(mapping) };
    },
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/api/admin/role-mappings/:id',
    summary: 'Remove a mapping: its roles and group go from each member at their next sign-in',
    tags: ['admin'],
    roles: ADMINS,
    params: RoleMappingIdParams,
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such mapping' } },
    async handler({ params, res }) {
      const { count } = await deps.prisma.roleMapping.deleteMany({ where: { id: params.id } });
      if (count === 0) throw httpErrors.notFound(`no role mapping ${params.id}`);
      forgetTokenGrants(deps.prisma);
      res.status(204).end();
      return { status: 204, body: null };
    },
  });
}
