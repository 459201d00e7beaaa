import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../prisma/generated/client';
import { ADMINS, STAFF } from '../auth';
import { revokeAccessOf } from '../access-revocations';
import { createUser } from '../accounts';
import type { ApiDeps } from '../deps';
import { orDuplicate } from '../duplicates';
import { openWorkOf } from '../open-work';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { EmptyBody } from '../schemas/incident';
import { forgetTokenGrants } from '../token-cache';
import { CreateUserBody, DeactivationSchema, ListUsersQuery, UpdateUserBody, UserDetailSchema, UserIdParams, UserSchema } from '../schemas/user';
import { keepAnAdministrator, refuseTakenEmail, userView } from '../user-directory';
import { activeUserIssue } from '../active-references';

/**
 * People and their roles: administrators manage them (roles grant access); staff read them, since managers staff
 * their teams and agents look up the caller they log an incident for.
 */
export function userRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;

  /** A manager approves requests, so it must be a person who is still active. */
  async function refuseInactiveManager(managerId: string | null | undefined) {
    const inactive = managerId ? await activeUserIssue(prisma, managerId, 'managerId') : null;
    if (inactive) throw httpErrors.validation([inactive]);
  }
  const load = (id: string) => foundOr404(prisma.user.findUnique({ where: { id } }), `user ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/users',
    summary: 'People and their roles (managers and administrators)',
    tags: ['users'],
    roles: STAFF,
    query: ListUsersQuery,
    responses: { 200: { description: 'Users', schema: z.object({ items: z.array(UserSchema) }) } },
    async handler({ query }) {
      const where: Prisma.UserWhereInput = {
        ...(query.role ? { roles: { has: query.role } } : {}),
        ...(query.active === undefined ? {} : { deactivatedAt: query.active ? null : { not: null } }),
      };
      const users = await prisma.user.findMany({ where, orderBy: { email: 'asc' } });
      return { status: 200, body: { items: users.map(userView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/users/:id',
    summary: 'One person, with the groups they belong to (managers and administrators)',
    tags: ['users'],
    roles: STAFF,
    params: UserIdParams,
    responses: { 200: { description: 'The user', schema: UserDetailSchema }, 404: { description: 'No such user' } },
    async handler({ params }) {
      const user = await foundOr404(prisma.user.findUnique({ where: { id: params.id }, include: { memberOf: { include: { group: true } } } }), `user ${params.id}`);
      const groups = user.memberOf.map(({ group }) => ({ id: group.id, name: group.name, active: group.deactivatedAt === null })).sort((a, b) => a.name.localeCompare(b.name));
      return { status: 200, body: { ...userView(user), groups } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/users',
    summary: 'Create a user (administrators)',
    tags: ['users'],
    roles: ADMINS,
    body: CreateUserBody,
    responses: { 201: { description: 'Created', schema: UserSchema }, 409: { description: 'Another user has that e-mail address' } },
    async handler({ body, res }) {
      await refuseInactiveManager(body.managerId);
      const user = await createUser(prisma, body);
      res.location(`/api/users/${user.id}`);
      return { status: 201, body: userView(user) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/users/:id',
    summary: "Change a user's name, e-mail address, language, time zone or roles (administrators)",
    tags: ['users'],
    roles: ADMINS,
    params: UserIdParams,
    body: UpdateUserBody,
    responses: {
      200: { description: 'Updated', schema: UserSchema },
      404: { description: 'No such user' },
      409: { description: 'Another user has that e-mail address, or the change would leave no active administrator' },
    },
    async handler({ params, body }) {
      const user = await load(params.id);
      if (body.email) await refuseTakenEmail(prisma, body.email, user.id);
      if (body.managerId === user.id) throw httpErrors.validation([{ location: 'body', field: 'managerId', message: 'a person is not their own manager', code: 'custom' }]);
      await refuseInactiveManager(body.managerId);
      const losesAdmin = user.deactivatedAt === null && user.roles.includes('admin') && body.roles !== undefined && !body.roles.includes('admin');
      const updated = await orDuplicate(
        prisma.$transaction(async (tx) => {
          if (losesAdmin) await keepAnAdministrator(tx, [user.id]);
          return tx.user.update({ where: { id: user.id }, data: body });
        }),
        'email',
        `another user already has the e-mail address ${body.email}`,
      );
      forgetTokenGrants(prisma);
      return { status: 200, body: userView(updated) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/users/:id/deactivate',
    summary: 'Deactivate a user: their tokens and sessions stop working, each access they hold gets a revocation request; the answer lists their open work to hand over (administrators)',
    tags: ['users'],
    roles: ADMINS,
    params: UserIdParams,
    body: EmptyBody,
    responses: {
      200: { description: 'Deactivated, with the open work left for a manager to reassign', schema: DeactivationSchema },
      404: { description: 'No such user' },
      409: { description: 'Already deactivated, or the last active administrator' },
    },
    async handler({ params, principal }) {
      const user = await load(params.id);
      const deactivated = await prisma.$transaction(async (tx) => {
        if (user.roles.includes('admin')) await keepAnAdministrator(tx, [user.id]);
        // Conditional on the state read inside the transaction: of two concurrent requests, one deactivates.
        const { count } = await tx.user.updateMany({ where: { id: user.id, deactivatedAt: null }, data: { deactivatedAt: new Date() } });
        const current = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
        if (count === 0) {
          throw httpErrors.conflict(`user ${current.email} is already deactivated`, { currentState: 'deactivated', deactivatedAt: current.deactivatedAt?.toISOString() });
        }
        return current;
      });
      forgetTokenGrants(prisma);
      const revocationRequestIds = await revokeAccessOf(deps, user.id, principal.id);
      return { status: 200, body: { user: userView(deactivated), openWork: await openWorkOf(prisma, user.id), revocationRequestIds } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/users/:id/reactivate',
    summary: 'Reactivate a deactivated user; their unrevoked, unexpired tokens work again (administrators)',
    tags: ['users'],
    roles: ADMINS,
    params: UserIdParams,
    body: EmptyBody,
    responses: { 200: { description: 'Reactivated', schema: UserSchema }, 404: { description: 'No such user' }, 409: { description: 'The user is active' } },
    async handler({ params }) {
      const user = await load(params.id);
      const { count } = await prisma.user.updateMany({ where: { id: user.id, deactivatedAt: { not: null } }, data: { deactivatedAt: null } });
      if (count === 0) throw httpErrors.conflict(`user ${user.email} is active`, { currentState: 'active' });
      return { status: 200, body: userView(await load(user.id)) };
    },
  });
}
