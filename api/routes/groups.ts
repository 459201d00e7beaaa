import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { escalationNamesGroup, type EscalationLevel } from '../../domain/sla';
import { incidentReference, OPEN_STATES } from '../../domain/incident';
import { isoOrNull } from '../../domain/instants';
import type { Group, GroupMember, User } from '../../prisma/generated/client';
import { activeUserIssue } from '../active-references';
import { MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { duplicate, orDuplicate } from '../duplicates';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { CreateGroupBody, GroupIdParams, GroupMemberParams, GroupSchema, ListGroupsQuery, MemberBody, UpdateGroupBody } from '../schemas/group';
import { EmptyBody } from '../schemas/incident';

type GroupWithMembers = Group & { members: (GroupMember & { user: User })[] };
const withMembers = { members: { include: { user: true } } } as const;

function groupView(group: GroupWithMembers) {
  return {
    id: group.id,
    name: group.name,
    email: group.email,
    locale: group.locale,
    leadId: group.leadId,
    active: group.deactivatedAt === null,
    deactivatedAt: isoOrNull(group.deactivatedAt),
    createdAt: group.createdAt.toISOString(),
    members: group.members
      .map(({ user }) => ({ id: user.id, email: user.email, name: user.name, active: user.deactivatedAt === null }))
      .sort((a, b) => a.email.localeCompare(b.email)),
  };
}

const GroupDeactivationSchema = z
  .object({
    group: GroupSchema,
    openIncidents: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), state: z.string(), assigneeId: z.uuid().nullable() })),
  })
  .openapi('GroupDeactivation');

/**
 * Resolver groups. Managers run the teams (who is in them, who leads them), so they administer groups as
 * administrators do; agents read them to know where work goes.
 */
export function groupRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const load = (id: string) => foundOr404(prisma.group.findUnique({ where: { id }, include: withMembers }), `group ${id}`);
  // Names differ only in case for the people who type them (and for the import, which matches on them).
  async function refuseTakenName(name: string, exceptGroupId?: string) {
    const holder = await prisma.group.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(exceptGroupId ? { NOT: { id: exceptGroupId } } : {}) } });
    if (holder) throw duplicate('name', `a group named "${holder.name}" exists`);
  }
  async function refuseInactiveLead(leadId: string | null | undefined) {
    const issue = leadId ? await activeUserIssue(prisma, leadId, 'leadId') : null;
    if (issue) throw httpErrors.validation([issue]);
  }

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/groups',
    summary: 'Resolver groups with their members (staff)',
    tags: ['groups'],
    roles: STAFF,
    query: ListGroupsQuery,
    responses: { 200: { description: 'Groups', schema: z.object({ items: z.array(GroupSchema) }) } },
    async handler({ query }) {
      const where = query.active === undefined ? {} : { deactivatedAt: query.active ? null : { not: null } };
      const groups = await prisma.group.findMany({ where, include: withMembers, orderBy: { name: 'asc' } });
      return { status: 200, body: { items: groups.map(groupView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/groups/:id',
    summary: 'One group: members, lead, e-mail address, language (staff)',
    tags: ['groups'],
    roles: STAFF,
    params: GroupIdParams,
    responses: { 200: { description: 'The group', schema: GroupSchema }, 404: { description: 'No such group' } },
    async handler({ params }) {
      return { status: 200, body: groupView(await load(params.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/groups',
    summary: 'Create a group (managers and administrators)',
    tags: ['groups'],
    roles: MANAGERS,
    body: CreateGroupBody,
    responses: { 201: { description: 'Created', schema: GroupSchema }, 409: { description: 'A group of that name exists' } },
    async handler({ body, res }) {
      await refuseInactiveLead(body.leadId);
      await refuseTakenName(body.name);
      const group = await orDuplicate(prisma.group.create({ data: body, include: withMembers }), 'name', `a group named "${body.name}" exists`);
      res.location(`/api/groups/${group.id}`);
      return { status: 201, body: groupView(group) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/groups/:id',
    summary: "Rename a group, or change its e-mail address, language or lead (managers and administrators)",
    tags: ['groups'],
    roles: MANAGERS,
    params: GroupIdParams,
    body: UpdateGroupBody,
    responses: { 200: { description: 'Updated', schema: GroupSchema }, 404: { description: 'No such group' }, 409: { description: 'Another group has that name' } },
    async handler({ params, body }) {
      const group = await load(params.id);
      await refuseInactiveLead(body.leadId);
      if (body.name) await refuseTakenName(body.name, group.id);
      const updated = await orDuplicate(prisma.group.update({ where: { id: group.id }, data: body, include: withMembers }), 'name', `a group named "${body.name}" exists`);
      return { status: 200, body: groupView(updated) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/groups/:id/members',
    operationId: 'addGroupMember',
    summary: 'Add an active user to a group; adding a member twice changes nothing (managers and administrators)',
    tags: ['groups'],
    roles: MANAGERS,
    params: GroupIdParams,
    body: MemberBody,
    responses: { 200: { description: 'The group with its members', schema: GroupSchema }, 404: { description: 'No such group' }, 409: { description: 'The group is deactivated' } },
    async handler({ params, body }) {
      const group = await load(params.id);
      if (group.deactivatedAt) throw httpErrors.conflict(`group "${group.name}" is deactivated; reactivate it before adding members`, { currentState: 'deactivated' });
      const issue = await activeUserIssue(prisma, body.userId, 'userId');
      if (issue) throw httpErrors.validation([issue]);
      await prisma.groupMember.createMany({ data: [{ groupId: group.id, userId: body.userId }], skipDuplicates: true });
      return { status: 200, body: groupView(await load(group.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/groups/:id/members/:userId/remove',
    summary: 'Remove a member from a group; removing a non-member changes nothing (managers and administrators)',
    tags: ['groups'],
    roles: MANAGERS,
    params: GroupMemberParams,
    body: EmptyBody,
    responses: { 200: { description: 'The group with its members', schema: GroupSchema }, 404: { description: 'No such group' } },
    async handler({ params }) {
      const group = await load(params.id);
      await prisma.groupMember.deleteMany({ where: { groupId: group.id, userId: params.userId } });
      return { status: 200, body: groupView(await load(group.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/groups/:id/deactivate',
    summary:
      'Deactivate a group: refused while a service in use routes to it by default, an active assignment rule or an SLA escalation names it; the answer lists its open incidents to hand over (managers and administrators)',
    tags: ['groups'],
    roles: MANAGERS,
    params: GroupIdParams,
    body: EmptyBody,
    responses: {
      200: { description: 'Deactivated, with the open incidents still in the group', schema: GroupDeactivationSchema },
      404: { description: 'No such group' },
      409: { description: 'Already deactivated, or still the default group of a service, the target of an active assignment rule or named by an SLA escalation' },
    },
    async handler({ params }) {
      const group = await load(params.id);
      const alreadyDeactivated = () => httpErrors.conflict(`group "${group.name}" is already deactivated`, { currentState: 'deactivated' });
      if (group.deactivatedAt) throw alreadyDeactivated();
      const [services, rules, allPolicies] = await Promise.all([
        prisma.service.findMany({ where: { defaultGroupId: group.id, retiredAt: null }, select: { code: true }, orderBy: { code: 'asc' } }),
        prisma.assignmentRule.findMany({ where: { groupId: group.id, active: true }, select: { name: true }, orderBy: { position: 'asc' } }),
        prisma.slaPolicy.findMany({ select: { id: true, priority: true, escalationChain: true, service: { select: { code: true } } } }),
      ]);
      const policies = allPolicies.filter((policy) => escalationNamesGroup(policy.escalationChain as unknown as EscalationLevel[], group.id));
      // Work routed or escalated to a deactivated group would reach nobody, so those routes must go first.
      const routes = [
        ...services.map((s) => `the default group of service ${s.code}`),
        ...rules.map((r) => `the group of assignment rule "${r.name}"`),
        ...policies.map((p) => `named in the escalation chain of ${p.service.code} ${p.priority}`),
      ];
      if (routes.length > 0) {
        throw httpErrors.conflict(`group "${group.name}" is still ${routes.join(' and ')}; route that work elsewhere first`, {
          currentState: 'routed-to',
          services: services.map((s) => s.code),
          assignmentRules: rules.map((r) => r.name),
          slaPolicies: policies.map((p) => p.id),
        });
      }
      const { count } = await prisma.group.updateMany({ where: { id: group.id, deactivatedAt: null }, data: { deactivatedAt: new Date() } });
      if (count === 0) throw alreadyDeactivated();
      const incidents = await prisma.incident.findMany({ where: { groupId: group.id, state: { in: [...OPEN_STATES] } }, orderBy: { number: 'asc' } });
      const openIncidents = incidents.map((i) => ({ id: i.id, reference: incidentReference(i.number), title: i.title, state: i.state, assigneeId: i.assigneeId }));
      return { status: 200, body: { group: groupView(await load(group.id)), openIncidents } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/groups/:id/reactivate',
    summary: 'Reactivate a deactivated group (managers and administrators)',
    tags: ['groups'],
    roles: MANAGERS,
    params: GroupIdParams,
    body: EmptyBody,
    responses: { 200: { description: 'Reactivated', schema: GroupSchema }, 404: { description: 'No such group' }, 409: { description: 'The group is active' } },
    async handler({ params }) {
      const group = await load(params.id);
      const { count } = await prisma.group.updateMany({ where: { id: group.id, deactivatedAt: { not: null } }, data: { deactivatedAt: null } });
      if (count === 0) throw httpErrors.conflict(`group "${group.name}" is active`, { currentState: 'active' });
      return { status: 200, body: groupView(await load(group.id)) };
    },
  });
}
