import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { SlaPolicy } from '../../prisma/generated/client';
import { STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { problems, type FieldIssue } from '../problem';
import { defineRoute } from '../route';
import { SlaPolicyIdParams, SlaPolicyListQuery, SlaPolicySchema, SlaPolicyUpdate } from '../schemas/sla-policy';

const policyView = (policy: SlaPolicy) => ({ ...policy, updatedAt: policy.updatedAt.toISOString() });

export function slaPolicyRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/sla-policies',
    summary: 'SLA policies per service and priority',
    tags: ['sla-policies'],
    roles: STAFF,
    query: SlaPolicyListQuery,
    responses: { 200: { description: 'Policies', schema: z.object({ items: z.array(SlaPolicySchema) }) } },
    async handler({ query }) {
      const policies = await deps.prisma.slaPolicy.findMany({ where: { serviceId: query.serviceId }, orderBy: [{ serviceId: 'asc' }, { priority: 'asc' }] });
      return { status: 200, body: { items: policies.map(policyView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/sla-policies/:id',
    summary: 'One SLA policy',
    tags: ['sla-policies'],
    roles: STAFF,
    params: SlaPolicyIdParams,
    responses: { 200: { description: 'The policy', schema: SlaPolicySchema }, 404: { description: 'No such policy' } },
    async handler({ params }) {
      const policy = await deps.prisma.slaPolicy.findUnique({ where: { id: params.id } });
      if (!policy) throw problems.notFound(`no SLA policy ${params.id}`);
      return { status: 200, body: policyView(policy) };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/sla-policies/:id',
    summary: 'Change an SLA policy. New incidents use it at once; running incidents keep theirs until their priority changes',
    tags: ['sla-policies'],
    roles: ['manager', 'admin'],
    params: SlaPolicyIdParams,
    body: SlaPolicyUpdate,
    responses: { 200: { description: 'The changed policy', schema: SlaPolicySchema }, 404: { description: 'No such policy' } },
    async handler({ params, body }) {
      if (!(await deps.prisma.slaPolicy.findUnique({ where: { id: params.id } }))) throw problems.notFound(`no SLA policy ${params.id}`);
      const issues: FieldIssue[] = [];
      if (body.calendarId && !(await deps.prisma.businessCalendar.findUnique({ where: { id: body.calendarId } }))) {
        issues.push({ location: 'body', field: 'calendarId', message: `no calendar ${body.calendarId}`, code: 'unknown_reference' });
      }
      for (const [i, level] of (body.escalationChain ?? []).entries()) {
        if (level.reassignToGroupId && !(await deps.prisma.group.findUnique({ where: { id: level.reassignToGroupId } }))) {
          issues.push({ location: 'body', field: `escalationChain.${i}.reassignToGroupId`, message: `no group ${level.reassignToGroupId}`, code: 'unknown_reference' });
        }
      }
      if (issues.length) throw problems.validation(issues);
      const updated = await deps.prisma.slaPolicy.update({ where: { id: params.id }, data: body });
      return { status: 200, body: policyView(updated) };
    },
  });
}
