import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { isoOrNull } from '../../domain/instants';
import { requestReference } from '../../domain/request';
import type { Prisma, RequestTask, ServiceRequest } from '../../prisma/generated/client';
import {
  cancelRequestUpdate,
  completeRequestTaskUpdate,
  confirmRequestUpdate,
  decideRequestUpdate,
  provideInfoUpdate,
  requestInfoUpdate,
  takeRequestTaskUpdate,
  type RequestStatus,
} from '../../workflows/request.messages';
import { EVERYONE, hasAnyRole, MANAGERS, STAFF, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors } from '../problem-details';
import { recordActions } from '../record-action';
import { submitRequest } from '../request-intake';
import { defineRoute } from '../route';
import {
  ApproveRequestBody,
  CancelRequestBody,
  ListRequestsQuery,
  ListTasksQuery,
  ProvideInfoBody,
  RejectRequestBody,
  RequestIdParams,
  RequestInfoBody,
  RequestStatusSchema,
  SubmitRequestBody,
  TaskBody,
} from '../schemas/catalog';
import { EmptyBody } from '../schemas/incident';
import { workflowLink } from '../workflow-links';
import { recordUpdater } from '../workflow-updates';

const taskView = (task: RequestTask) => ({
  id: task.id,
  requestId: task.requestId,
  position: task.position,
  name: task.name,
  groupId: task.groupId,
  state: task.state,
  assigneeId: task.assigneeId,
  openedAt: isoOrNull(task.openedAt),
  olaDueAt: isoOrNull(task.olaDueAt),
  completedAt: isoOrNull(task.completedAt),
  olaBreached: task.olaBreached,
  escalationLevel: task.escalationLevel,
});

function requestView(request: ServiceRequest & { tasks: RequestTask[] }) {
  return {
    id: request.id,
    reference: requestReference(request.number),
    itemId: request.itemId,
    itemVersion: request.itemVersion,
    requesterId: request.requesterId,
    answers: request.answers,
    state: request.state,
    responseDueAt: isoOrNull(request.responseDueAt),
    fulfilmentDueAt: isoOrNull(request.fulfilmentDueAt),
    respondedAt: isoOrNull(request.respondedAt),
    fulfilledAt: isoOrNull(request.fulfilledAt),
    closedAt: isoOrNull(request.closedAt),
    responseBreached: request.responseBreached,
    fulfilmentBreached: request.fulfilmentBreached,
    createdAt: request.createdAt.toISOString(),
    tasks: [...request.tasks].sort((a, b) => a.position - b.position).map(taskView),
  };
}

/** Requests from the catalogue: requesters see their own (and their reports' ones, as their manager), staff all. */
export function requestRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  // Besides staff: the requester, their manager on record, and whoever was asked to approve (a group approver may hold no staff role).
  const visibleTo = (principal: Principal): Prisma.ServiceRequestWhereInput =>
    hasAnyRole(principal, STAFF) ? {} : { OR: [{ requesterId: principal.id }, { requester: { managerId: principal.id } }, { approverIds: { has: principal.id } }] };
  const findRequest = (id: string, principal: Principal) => foundOr404(prisma.serviceRequest.findFirst({ where: { id, ...visibleTo(principal) }, include: { tasks: true } }), `request ${id}`);

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/requests',
    summary: 'Request a catalogue item with the answers to its form (400 names each field the form refuses)',
    tags: ['requests'],
    roles: EVERYONE,
    body: SubmitRequestBody,
    responses: { 201: { description: 'Submitted' }, 409: { description: 'The item needs an approver nobody fills (e.g. no manager on record)' } },
    async handler({ body, principal, res }) {
      const id = await submitRequest(deps, body, principal);
      res.location(`/api/requests/${id}`);
      return { status: 201, body: requestView(await findRequest(id, principal)) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/requests',
    summary: 'Requests, newest first (requesters see their own, as a manager on record their reports’, and those they were asked to approve)',
    tags: ['requests'],
    roles: EVERYONE,
    query: ListRequestsQuery,
    responses: { 200: { description: 'Requests' } },
    async handler({ query, principal }) {
      const rows = await prisma.serviceRequest.findMany({ where: { state: query.state, ...visibleTo(principal) }, include: { tasks: true }, orderBy: { number: 'desc' }, take: query.limit });
      return { status: 200, body: { items: rows.map(requestView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/requests/:id',
    summary: 'One request with its tasks (each with its OLA), its SLA and its history',
    tags: ['requests'],
    roles: EVERYONE,
    params: RequestIdParams,
    responses: { 200: { description: 'The request' }, 404: { description: 'No such request (or not yours)' } },
    async handler({ params, principal }) {
      const request = await findRequest(params.id, principal);
      const events = await prisma.requestEvent.findMany({ where: { requestId: request.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
      const workflow = hasAnyRole(principal, STAFF) ? { workflow: workflowLink(deps, request.workflowId) } : {};
      return { status: 200, body: { ...requestView(request), events: events.map(({ type, actorId, at, data }) => ({ type, actorId, at: at.toISOString(), data })), ...workflow } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/request-tasks',
    summary: "Fulfilment tasks of the caller's groups (managers: every group), oldest OLA first",
    tags: ['requests'],
    roles: STAFF,
    query: ListTasksQuery,
    responses: { 200: { description: 'Tasks' } },
    async handler({ query, principal }) {
      const groups = hasAnyRole(principal, MANAGERS) ? {} : { groupId: { in: (await prisma.groupMember.findMany({ where: { userId: principal.id }, select: { groupId: true } })).map((m) => m.groupId) } };
      const tasks = await prisma.requestTask.findMany({ where: { state: query.state, ...groups }, orderBy: [{ olaDueAt: 'asc' }, { id: 'asc' }], take: 200 });
      return { status: 200, body: { items: tasks.map(taskView) } };
    },
  });

  const action = recordActions<ServiceRequest, RequestStatus>(router, registry, { path: '/api/requests', tag: 'requests', noun: 'request', params: RequestIdParams, status: RequestStatusSchema, find: findRequest });
  const send = recordUpdater(deps.temporal, 'request', (id) => prisma.serviceRequest.findUnique({ where: { id }, select: { state: true } }));

  for (const decision of ['approve', 'reject'] as const) {
    action({
      verb: decision,
      summary: decision === 'approve' ? "Approve (the request's approvers; never your own request)" : 'Reject with a reason (ends the approval as soon as the quorum can no longer be met)',
      roles: EVERYONE,
      body: decision === 'approve' ? ApproveRequestBody : RejectRequestBody,
      run({ record, body, principal }) {
        // Segregation of duties, answered before the workflow is asked.
        if (record.requesterId === principal.id) throw httpErrors.forbidden(`request ${requestReference(record.number)} cannot be decided by its requester (segregation of duties)`);
        return send(record, decideRequestUpdate, { actorId: principal.id, decision, comment: body.comment, via: 'api' });
      },
    });
  }

  /** Whether the caller may work the task: a member of its group, or a manager for any group. */
  async function mayWork(record: ServiceRequest, taskId: string, principal: Principal) {
    if (hasAnyRole(principal, MANAGERS)) return true;
    const task = await prisma.requestTask.findFirst({ where: { id: taskId, requestId: record.id } });
    return task !== null && (await prisma.groupMember.count({ where: { groupId: task.groupId, userId: principal.id } })) > 0;
  }

  action({
    verb: 'take-task',
    summary: "Take an open task of your group (the request's response is met when the first task is taken)",
    roles: STAFF,
    body: TaskBody,
    run: async ({ record, body, principal }) => send(record, takeRequestTaskUpdate, { actorId: principal.id, taskId: body.taskId, mayWork: await mayWork(record, body.taskId, principal) }),
  });

  action({
    verb: 'complete-task',
    summary: 'Complete an open task of your group; the next one opens (ordered items), the last one fulfils the request',
    roles: STAFF,
    body: TaskBody,
    run: async ({ record, body, principal }) => send(record, completeRequestTaskUpdate, { actorId: principal.id, taskId: body.taskId, notes: body.notes, mayWork: await mayWork(record, body.taskId, principal) }),
  });

  action({
    verb: 'request-info',
    summary: 'Ask the requester for more information: the SLA and every open OLA pause until they answer (staff and approvers)',
    roles: EVERYONE,
    body: RequestInfoBody,
    run: ({ record, body, principal }) => send(record, requestInfoUpdate, { actorId: principal.id, question: body.question, isStaff: hasAnyRole(principal, STAFF) }),
  });

  action({
    verb: 'provide-info',
    summary: 'Answer the question (the requester); the clocks run again',
    roles: EVERYONE,
    body: ProvideInfoBody,
    run: ({ record, body, principal }) => send(record, provideInfoUpdate, { actorId: principal.id, answer: body.answer }),
  });

  action({
    verb: 'confirm',
    summary: 'Confirm the fulfilled request (the requester); it closes and a satisfaction survey is mailed',
    roles: EVERYONE,
    body: EmptyBody,
    run: ({ record, principal }) => send(record, confirmRequestUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'cancel',
    summary: 'Cancel before it is fulfilled (the requester or a manager)',
    roles: EVERYONE,
    body: CancelRequestBody,
    run: ({ record, body, principal }) => send(record, cancelRequestUpdate, { actorId: principal.id, reason: body.reason, isManager: hasAnyRole(principal, MANAGERS) }),
  });
}
