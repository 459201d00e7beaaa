import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { changeReference } from '../../domain/change';
import { incidentReference } from '../../domain/incident';
import { problemReference } from '../../domain/problem';
import { isoOrNull } from '../../domain/instants';
import type { Problem } from '../../prisma/generated/client';
import { closeProblemUpdate, investigateProblemUpdate, linkFixUpdate, linkIncidentsUpdate, problemStatusQuery, publishKnownErrorUpdate, type ProblemStatus } from '../../workflows/problem.messages';
import { MANAGERS, STAFF } from '../auth';
import { openChange } from '../change-intake';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors } from '../problem-details';
import { openProblem } from '../problem-intake';
import { sendProblemUpdate } from '../problem-updates';
import { recordActions } from '../record-action';
import { defineRoute } from '../route';
import { workflowLink } from '../workflow-links';
import { CreateChangeBody } from '../schemas/change';
import {
  CloseProblemBody,
  CreateProblemBody,
  InvestigateBody,
  KnownErrorBody,
  LinkIncidentsBody,
  ListProblemsQuery,
  PolicyParams,
  ProblemPolicySchema,
  PutProblemPolicyBody,
  ProblemDetailSchema,
  ProblemIdParams,
  ProblemSchema,
  ProblemStatusSchema,
  PutTrendRuleBody,
  TrendRuleParams,
  TrendRuleSchema,
} from '../schemas/problem';


export function problemView(problem: Problem) {
  return {
    id: problem.id,
    number: problem.number,
    reference: problemReference(problem.number),
    title: problem.title,
    description: problem.description,
    priority: problem.priority,
    state: problem.state,
    source: problem.source,
    trendKey: problem.trendKey,
    serviceId: problem.serviceId,
    ciId: problem.ciId,
    category: problem.category,
    ownerId: problem.ownerId,
    rcaDueAt: isoOrNull(problem.rcaDueAt),
    escalationLevel: problem.escalationLevel,
    rootCause: problem.rootCause,
    workaround: problem.workaround,
    reviewUntil: isoOrNull(problem.reviewUntil),
    closedAt: isoOrNull(problem.closedAt),
    closeReason: problem.closeReason,
    workflowId: problem.workflowId,
    createdAt: problem.createdAt.toISOString(),
  };
}

export function problemRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const findProblem = (id: string) => foundOr404(prisma.problem.findUnique({ where: { id } }), `problem ${id}`);

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/problems',
    summary: 'Open a problem by hand, optionally with its incidents and an owner',
    tags: ['problems'],
    roles: STAFF,
    body: CreateProblemBody,
    responses: { 201: { description: 'Opened', schema: ProblemSchema }, 503: { description: 'Workflow engine unreachable; nothing was written' } },
    async handler({ body, principal, res }) {
      const problem = await openProblem(deps, body, principal.id);
      res.location(`/api/problems/${problem.id}`);
      return { status: 201, body: problemView(problem) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/problems',
    summary: 'Problems, newest first',
    tags: ['problems'],
    roles: STAFF,
    query: ListProblemsQuery,
    responses: { 200: { description: 'Problems', schema: z.object({ items: z.array(ProblemSchema) }) } },
    async handler({ query }) {
      const rows = await prisma.problem.findMany({ where: { state: query.state }, orderBy: { number: 'desc' }, take: query.limit });
      return { status: 200, body: { items: rows.map(problemView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/problem-trend-rules',
    summary: 'When trend detection opens a problem: N incidents on one CI, service or category within a window',
    tags: ['problems'],
    roles: STAFF,
    responses: { 200: { description: 'The rules', schema: z.object({ items: z.array(TrendRuleSchema) }) } },
    async handler() {
      const rules = await prisma.trendRule.findMany({ orderBy: { dimension: 'asc' } });
      return { status: 200, body: { items: rules.map(({ dimension, windowSeconds, threshold, enabled }) => ({ dimension, windowSeconds, threshold, enabled })) } };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/problem-trend-rules/:dimension',
    summary: 'Set the window and threshold of one trend rule (the next scheduled run uses them)',
    tags: ['problems'],
    roles: MANAGERS,
    params: TrendRuleParams,
    body: PutTrendRuleBody,
    responses: { 200: { description: 'The rule', schema: TrendRuleSchema } },
    async handler({ params, body }) {
      const rule = await prisma.trendRule.upsert({ where: { dimension: params.dimension }, update: body, create: { dimension: params.dimension, ...body } });
      return { status: 200, body: { dimension: params.dimension, windowSeconds: rule.windowSeconds, threshold: rule.threshold, enabled: rule.enabled } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/problem-policies',
    summary: 'Root-cause deadlines, reminders, escalation and effectiveness review per priority',
    tags: ['problems'],
    roles: STAFF,
    responses: { 200: { description: 'The policies', schema: z.object({ items: z.array(ProblemPolicySchema) }) } },
    async handler() {
      const policies = await prisma.problemPolicy.findMany({ orderBy: { priority: 'asc' } });
      return { status: 200, body: { items: policies.map(({ updatedAt: _at, ...policy }) => policy) } };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/problem-policies/:priority',
    summary: "Set one priority's problem policy (problems opened from now on use it)",
    tags: ['problems'],
    roles: MANAGERS,
    params: PolicyParams,
    body: PutProblemPolicyBody,
    responses: { 200: { description: 'The policy', schema: ProblemPolicySchema } },
    async handler({ params, body }) {
      if (body.coordinatorId && !(await prisma.user.findUnique({ where: { id: body.coordinatorId } }))) {
        throw httpErrors.validation([{ location: 'body', field: 'coordinatorId', message: `no user ${body.coordinatorId}`, code: 'unknown_reference' }]);
      }
      const { updatedAt: _at, ...policy } = await prisma.problemPolicy.upsert({ where: { priority: params.priority }, update: body, create: { priority: params.priority, ...body } });
      return { status: 200, body: policy };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/problems/:id',
    summary: 'One problem with its incidents, known error, fix and history',
    tags: ['problems'],
    roles: STAFF,
    params: ProblemIdParams,
    responses: { 200: { description: 'The problem', schema: ProblemDetailSchema.extend({ live: ProblemStatusSchema.nullable() }) }, 404: { description: 'No such problem' } },
    async handler({ params }) {
      const problem = await findProblem(params.id);
      const [links, fixes, knownError, events] = await Promise.all([
        prisma.problemIncident.findMany({ where: { problemId: problem.id }, include: { incident: true }, orderBy: { linkedAt: 'asc' } }),
        prisma.changeRequest.findMany({ where: { problemId: problem.id }, orderBy: { number: 'asc' } }),
        prisma.knownError.findUnique({ where: { problemId: problem.id }, include: { article: { select: { id: true } } } }),
        prisma.problemEvent.findMany({ where: { problemId: problem.id }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] }),
      ]);
      const live = problem.state === 'closed' ? null : await deps.temporal.workflow.getHandle(problem.workflowId).query(problemStatusQuery).catch(() => null);
      return {
        status: 200,
        body: {
          ...problemView(problem),
          live,
          incidents: links.map(({ incident, linkedBy, linkedAt }) => ({ id: incident.id, reference: incidentReference(incident.number), title: incident.title, state: incident.state, linkedBy, linkedAt: linkedAt.toISOString() })),
          fixes: fixes.map((c) => ({ id: c.id, reference: changeReference(c.number), state: c.state })),
          knownError: knownError && { id: knownError.id, title: knownError.title, rootCause: knownError.rootCause, workaround: knownError.workaround, status: knownError.status, articleId: knownError.article?.id ?? null },
          events: events.map(({ type, at, actorId, fromState, toState, data }) => ({ type, at: at.toISOString(), actorId, fromState, toState, data })),
          workflow: workflowLink(deps, problem.workflowId),
        },
      };
    },
  });

  const action = recordActions<Problem, ProblemStatus>(router, registry, {
    path: '/api/problems',
    tag: 'problems',
    noun: 'problem',
    params: ProblemIdParams,
    status: ProblemStatusSchema,
    find: (id) => findProblem(id),
  });
  const send = sendProblemUpdate.bind(null, deps);

  action({
    verb: 'investigate',
    summary: 'Start the investigation with an owner (the caller by default); the root-cause deadline keeps running',
    roles: STAFF,
    body: InvestigateBody,
    async run({ record, body, principal }) {
      const ownerId = body.ownerId ?? principal.id;
      if (!(await prisma.user.findUnique({ where: { id: ownerId } }))) throw httpErrors.validation([{ location: 'body', field: 'ownerId', message: `no user ${ownerId}`, code: 'unknown_reference' }]);
      return send(record, investigateProblemUpdate, { actorId: principal.id, ownerId });
    },
  });

  action({
    verb: 'known-error',
    summary: 'Record the root cause and workaround: publishes the known error and its article, and gives the workaround to the linked open incidents',
    roles: STAFF,
    body: KnownErrorBody,
    run: ({ record, body, principal }) => send(record, publishKnownErrorUpdate, { actorId: principal.id, ...body }),
  });

  action({
    verb: 'incidents',
    summary: 'Link incidents to the problem (they get the workaround when one is published)',
    roles: STAFF,
    body: LinkIncidentsBody,
    async run({ record, body, principal }) {
      const found = await prisma.incident.findMany({ where: { id: { in: body.incidentIds } }, select: { id: true } });
      body.incidentIds.forEach((id, index) => {
        if (!found.some((i) => i.id === id)) throw httpErrors.validation([{ location: 'body', field: `incidentIds.${index}`, message: `no incident ${id}`, code: 'unknown_reference' }]);
      });
      return send(record, linkIncidentsUpdate, { actorId: principal.id, incidentIds: [...new Set(body.incidentIds)] });
    },
  });

  action({
    verb: 'fix',
    summary: 'Raise the permanent fix as a request for change, linked to the problem; its successful close resolves the problem',
    roles: STAFF,
    body: CreateChangeBody,
    async run({ record, body, principal }) {
      // Asked first, so a problem that cannot take a fix leaves no orphan change behind.
      const live = await deps.temporal.workflow.getHandle(record.workflowId).query(problemStatusQuery).catch(() => null);
      if (live?.state !== 'known_error') {
        throw httpErrors.conflict(`linkFix is not allowed while the problem is ${live?.state ?? record.state} (allowed from: known_error)`, { currentState: live?.state ?? record.state });
      }
      const change = await openChange(deps, body, principal.id, record.id);
      return send(record, linkFixUpdate, { actorId: principal.id, changeId: change.id });
    },
  });

  action({
    verb: 'close',
    summary: 'Close the problem by hand (e.g. a duplicate, or accepted as is), with a reason',
    roles: MANAGERS,
    body: CloseProblemBody,
    run: ({ record, body, principal }) => send(record, closeProblemUpdate, { actorId: principal.id, reason: body.reason }),
  });
}
