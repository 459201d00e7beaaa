import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { CHANGE_SCOPE, changeScope, conflictsFor } from '../../records/changes';
import type { Prisma, Role } from '../../prisma/generated/client';
import { EVERYONE, hasAnyRole, type Principal } from '../auth';
import { openChange } from '../change-intake';
import { changeView } from '../change-view';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { ChangeDetailSchema, ChangeIdParams, ChangePage, ChangeSchema, ConflictSchema, ConflictsQuery, CreateChangeBody, ListChangesQuery } from '../schemas/change';

/** Everyone who works on changes sees all of them; a requester sees their own. */
export const CHANGE_STAFF: Role[] = ['agent', 'manager', 'cab', 'auditor', 'admin'];

export async function findVisibleChange(deps: ApiDeps, id: string, principal: Principal) {
  const change = await deps.prisma.changeRequest.findUnique({ where: { id }, include: CHANGE_SCOPE });
  if (!change || (!hasAnyRole(principal, CHANGE_STAFF) && change.requesterId !== principal.id)) throw httpErrors.notFound(`no change ${id}`);
  return change;
}

const csv = (value: string | undefined) => (value ? value.split(',').map((part) => part.trim()).filter(Boolean) : []);

export function changeRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'post',
    path: '/api/changes',
    summary: 'Raise a request for change (a draft, or submitted at once with "submit": true)',
    tags: ['changes'],
    roles: EVERYONE,
    body: CreateChangeBody,
    responses: { 201: { description: 'Created', schema: ChangeSchema }, 503: { description: 'Workflow engine unreachable; nothing was written' } },
    async handler({ body, principal, res }) {
      const change = await openChange(deps, body, principal.id);
      res.location(`/api/changes/${change.id}`);
      return { status: 201, body: changeView(deps, change) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/changes',
    summary: 'List changes, newest first (requesters see only their own)',
    tags: ['changes'],
    roles: EVERYONE,
    query: ListChangesQuery,
    responses: { 200: { description: 'A page of changes', schema: ChangePage } },
    async handler({ query, principal }) {
      const where: Prisma.ChangeRequestWhereInput = {
        state: query.state,
        type: query.type,
        number: query.cursor ? { lt: query.cursor } : undefined,
        requesterId: hasAnyRole(principal, CHANGE_STAFF) ? undefined : principal.id,
      };
      const rows = await deps.prisma.changeRequest.findMany({ where, orderBy: { number: 'desc' }, take: query.limit + 1, include: CHANGE_SCOPE });
      const page = rows.slice(0, query.limit);
      return { status: 200, body: { items: page.map((change) => changeView(deps, change)), nextCursor: rows.length > query.limit ? page[page.length - 1].number : null } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/change-conflicts',
    summary: 'What a window on some services (and configuration items) would collide with: blackouts, closed or missing maintenance windows, approved changes',
    tags: ['changes'],
    roles: CHANGE_STAFF,
    query: ConflictsQuery,
    responses: { 200: { description: 'The conflicts (empty when the window is clear)', schema: z.object({ conflicts: z.array(ConflictSchema) }) } },
    async handler({ query }) {
      const wanted = csv(query.service);
      const services = await deps.prisma.service.findMany({ where: { OR: [{ code: { in: wanted } }, { id: { in: wanted.filter((w) => z.uuid().safeParse(w).success) } }] } });
      const unknown = wanted.filter((w) => !services.some((s) => s.id === w || s.code === w));
      if (unknown.length > 0) throw httpErrors.validation([{ location: 'query', field: 'service', message: `no service ${unknown.join(', ')}`, code: 'unknown_reference' }]);
      const conflicts = await conflictsFor(deps.prisma, { start: Date.parse(query.from), end: Date.parse(query.to) }, { serviceIds: services.map((s) => s.id), cis: csv(query.ci) });
      return { status: 200, body: { conflicts } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/changes/:id',
    summary: 'One change with its approvals, its current conflicts and its history',
    tags: ['changes'],
    roles: EVERYONE,
    params: ChangeIdParams,
    responses: { 200: { description: 'The change', schema: ChangeDetailSchema }, 404: { description: 'No such change (or not yours)' } },
    async handler({ params, principal }) {
      const change = await findVisibleChange(deps, params.id, principal);
      const [approvals, events] = await Promise.all([
        deps.prisma.changeApproval.findMany({ where: { changeId: change.id }, orderBy: [{ level: 'asc' }, { decidedAt: 'asc' }] }),
        deps.prisma.changeEvent.findMany({ where: { changeId: change.id }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] }),
      ]);
      const window = { start: (change.scheduledStart ?? change.plannedStart).getTime(), end: (change.scheduledEnd ?? change.plannedEnd).getTime() };
      const conflicts = await conflictsFor(deps.prisma, window, changeScope(change), change.id);
      return {
        status: 200,
        body: {
          ...changeView(deps, change),
          approvals: approvals.map(({ level, board, approverId, decision, comment, via, decidedAt }) => ({ level, board, approverId, decision, comment, via, decidedAt: decidedAt.toISOString() })),
          approvalPlan: change.approvalPlan,
          conflicts,
          conflictOverride: change.conflictOverride,
          backout: change.backout,
          review: change.review,
          events: events.map(({ type, at, actorId, fromState, toState, data }) => ({ type, at: at.toISOString(), actorId, fromState, toState, data })),
        },
      };
    },
  });
}
