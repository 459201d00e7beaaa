import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { EscalationLevel } from '../../domain/sla';
import type { Prisma, SlaPolicy } from '../../prisma/generated/client';
import { activeGroupIssue } from '../active-references';
import { orDuplicate } from '../duplicates';
import { recordSlaPolicyVersion } from '../sla-policy-versions';
import { MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { SlaPolicyCreate, SlaPolicyIdParams, SlaPolicyListQuery, SlaPolicySchema, SlaPolicyUpdate, SlaPolicyVersionSchema } from '../schemas/sla-policy';

const policyView = (policy: SlaPolicy) => ({ ...policy, updatedAt: policy.updatedAt.toISOString() });

/** References a policy names must exist, so no incident runs on a calendar or hands over to a group that is not there. */
async function referenceIssues(deps: ApiDeps, body: { calendarId?: string; escalationChain?: EscalationLevel[] }): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if (body.calendarId && !(await deps.prisma.businessCalendar.findUnique({ where: { id: body.calendarId } }))) {
    issues.push({ location: 'body', field: 'calendarId', message: `no calendar ${body.calendarId}`, code: 'unknown_reference' });
  }
  for (const [i, level] of (body.escalationChain ?? []).entries()) {
    const groups: [string, string | undefined][] = [
      [`escalationChain.${i}.reassignToGroupId`, level.reassignToGroupId],
      ...level.notify.map((target, j): [string, string | undefined] => [`escalationChain.${i}.notify.${j}.groupId`, typeof target === 'object' && 'groupId' in target ? target.groupId : undefined]),
    ];
    for (const [field, groupId] of groups) {
      const issue = groupId ? await activeGroupIssue(deps.prisma, groupId, field) : null;
      if (issue) issues.push(issue);
    }
  }
  return issues;
}

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
    method: 'post',
    path: '/api/sla-policies',
    summary: "Create a service's policy for one priority (version 1); until it exists, intake at that priority answers 409",
    tags: ['sla-policies'],
    roles: MANAGERS,
    body: SlaPolicyCreate,
    responses: { 201: { description: 'The new policy', schema: SlaPolicySchema }, 409: { description: 'The service already has a policy for this priority' } },
    async handler({ body, principal, res }) {
      const { reason, ...fields } = body;
      const issues = await referenceIssues(deps, fields);
      if (!(await deps.prisma.service.findUnique({ where: { id: fields.serviceId } }))) {
        issues.unshift({ location: 'body', field: 'serviceId', message: `no service ${fields.serviceId}`, code: 'unknown_reference' });
      }
      if (issues.length) throw httpErrors.validation(issues);
      const created = await deps.prisma.$transaction(async (tx) => {
        const policy = await orDuplicate(
          tx.slaPolicy.create({ data: { ...fields, escalationChain: fields.escalationChain as Prisma.InputJsonArray } }),
          'priority',
          `the service already has a ${fields.priority} policy; change it with PUT /api/sla-policies/:id`,
        );
        await recordSlaPolicyVersion(tx, policy, principal.id, reason);
        return policy;
      });
      res.location(`/api/sla-policies/${created.id}`);
      return { status: 201, body: policyView(created) };
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
      const policy = await foundOr404(deps.prisma.slaPolicy.findUnique({ where: { id: params.id } }), `SLA policy ${params.id}`);
      return { status: 200, body: policyView(policy) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/sla-policies/:id/versions',
    summary: "A policy's history: every version with its settings, who changed it, when and why (newest first)",
    tags: ['sla-policies'],
    roles: STAFF,
    params: SlaPolicyIdParams,
    responses: { 200: { description: 'Versions', schema: z.object({ items: z.array(SlaPolicyVersionSchema) }) }, 404: { description: 'No such policy' } },
    async handler({ params }) {
      await foundOr404(deps.prisma.slaPolicy.findUnique({ where: { id: params.id } }), `SLA policy ${params.id}`);
      const versions = await deps.prisma.slaPolicyVersion.findMany({
        where: { policyId: params.id },
        include: { changedBy: { select: { id: true, name: true, email: true } } },
        orderBy: { version: 'desc' },
      });
      return {
        status: 200,
        body: { items: versions.map(({ version, settings, changedBy, changedAt, reason }) => ({ version, settings, changedBy, changedAt: changedAt.toISOString(), reason })) },
      };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/sla-policies/:id',
    summary: 'Change an SLA policy: a new version with who and why. New incidents use it at once; running incidents keep the version they started with',
    tags: ['sla-policies'],
    roles: MANAGERS,
    params: SlaPolicyIdParams,
    body: SlaPolicyUpdate,
    responses: { 200: { description: 'The changed policy', schema: SlaPolicySchema }, 404: { description: 'No such policy' } },
    async handler({ params, body, principal }) {
      const current = await foundOr404(deps.prisma.slaPolicy.findUnique({ where: { id: params.id } }), `SLA policy ${params.id}`);
      const { reason, ...fields } = body;
      const issues = await referenceIssues(deps, fields);
      if ((fields.responseTargetSeconds ?? current.responseTargetSeconds) > (fields.resolutionTargetSeconds ?? current.resolutionTargetSeconds)) {
        issues.push({ location: 'body', field: 'responseTargetSeconds', message: 'the response target cannot be longer than the resolution target', code: 'too_big' });
      }
      if (issues.length) throw httpErrors.validation(issues);
      const updated = await deps.prisma.$transaction(async (tx) => {
        // Conditional on the version read: of two concurrent edits, the second fails instead of overwriting the first.
        const moved = await tx.slaPolicy.updateMany({
          where: { id: current.id, version: current.version },
          data: { ...fields, escalationChain: fields.escalationChain as Prisma.InputJsonArray | undefined, version: current.version + 1 },
        });
        if (moved.count === 0) throw httpErrors.conflict('the policy was changed by someone else meanwhile; read it again and retry', { currentVersion: current.version + 1 });
        const policy = await tx.slaPolicy.findUniqueOrThrow({ where: { id: current.id } });
        await recordSlaPolicyVersion(tx, policy, principal.id, reason);
        return policy;
      });
      return { status: 200, body: policyView(updated) };
    },
  });
}
