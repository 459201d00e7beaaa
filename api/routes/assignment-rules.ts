import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { MemberStrategy } from '../../domain/routing';
import type { AssignmentRule } from '../../prisma/generated/client';
import { MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { activeGroupIssue } from '../active-references';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { AssignmentRuleCreate, AssignmentRuleIdParams, AssignmentRuleSchema, AssignmentRuleUpdate } from '../schemas/assignment-rule';

const ruleView = (rule: AssignmentRule) => ({ ...rule, memberStrategy: rule.memberStrategy as MemberStrategy, createdAt: rule.createdAt.toISOString(), updatedAt: rule.updatedAt.toISOString() });

/** A rule may only send work to an active group, and only name a service that exists. */
async function refuseBadReferences(deps: ApiDeps, body: { groupId?: string; serviceId?: string | null }): Promise<void> {
  const issues: FieldIssue[] = [];
  const groupIssue = body.groupId ? await activeGroupIssue(deps.prisma, body.groupId, 'groupId') : null;
  if (groupIssue) issues.push(groupIssue);
  if (body.serviceId && !(await deps.prisma.service.findUnique({ where: { id: body.serviceId } }))) {
    issues.push({ location: 'body', field: 'serviceId', message: `no service ${body.serviceId}`, code: 'unknown_reference' });
  }
  if (issues.length) throw httpErrors.validation(issues);
}

// Routing decides who hears of new work first; managers run the teams, so they keep the rules as well as admins.
export function assignmentRuleRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/assignment-rules',
    summary: 'Intake routing rules in the order they are tried (the service default group comes after them)',
    tags: ['assignment-rules'],
    roles: STAFF,
    responses: { 200: { description: 'Rules', schema: z.object({ items: z.array(AssignmentRuleSchema) }) } },
    async handler() {
      const rules = await deps.prisma.assignmentRule.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] });
      return { status: 200, body: { items: rules.map(ruleView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/assignment-rules',
    summary: 'Add a routing rule: incidents matching its service, category and CI type go to its group (and optionally a member)',
    tags: ['assignment-rules'],
    roles: MANAGERS,
    body: AssignmentRuleCreate,
    responses: { 201: { description: 'The rule', schema: AssignmentRuleSchema } },
    async handler({ body, res }) {
      await refuseBadReferences(deps, body);
      const last = await deps.prisma.assignmentRule.aggregate({ _max: { position: true } });
      const rule = await deps.prisma.assignmentRule.create({ data: { ...body, position: body.position ?? (last._max.position ?? 0) + 10 } });
      res.location(`/api/assignment-rules/${rule.id}`);
      return { status: 201, body: ruleView(rule) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/assignment-rules/:id',
    summary: 'One routing rule',
    tags: ['assignment-rules'],
    roles: STAFF,
    params: AssignmentRuleIdParams,
    responses: { 200: { description: 'The rule', schema: AssignmentRuleSchema }, 404: { description: 'No such rule' } },
    async handler({ params }) {
      const rule = await foundOr404(deps.prisma.assignmentRule.findUnique({ where: { id: params.id } }), `assignment rule ${params.id}`);
      return { status: 200, body: ruleView(rule) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/assignment-rules/:id',
    summary: 'Change a routing rule (criteria, group, member strategy, position, active)',
    tags: ['assignment-rules'],
    roles: MANAGERS,
    params: AssignmentRuleIdParams,
    body: AssignmentRuleUpdate,
    responses: { 200: { description: 'The rule', schema: AssignmentRuleSchema }, 404: { description: 'No such rule' } },
    async handler({ params, body }) {
      await foundOr404(deps.prisma.assignmentRule.findUnique({ where: { id: params.id } }), `assignment rule ${params.id}`);
      await refuseBadReferences(deps, body);
      return { status: 200, body: ruleView(await deps.prisma.assignmentRule.update({ where: { id: params.id }, data: body })) };
    },
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/api/assignment-rules/:id',
    summary: 'Remove a routing rule (incidents it routed keep their group)',
    tags: ['assignment-rules'],
    roles: MANAGERS,
    params: AssignmentRuleIdParams,
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such rule' } },
    async handler({ params, res }) {
      const { count } = await deps.prisma.assignmentRule.deleteMany({ where: { id: params.id } });
      if (count === 0) throw httpErrors.notFound(`no assignment rule ${params.id}`);
      res.status(204).end();
      return { status: 204, body: null };
    },
  });
}
