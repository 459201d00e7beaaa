import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { priorityFor } from '../../domain/priority';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignUpdate,
  changePriorityUpdate,
  closeUpdate,
  declareMajorUpdate,
  reopenUpdate,
  resolveUpdate,
  resumeUpdate,
  setPendingUpdate,
  type IncidentStatus,
} from '../../workflows/incident.messages';
import { EVERYONE, hasAnyRole, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { sendIncidentUpdate } from '../incident-actions';
import { httpErrors } from '../problem-details';
import { recordActions } from '../record-action';
import { AssignBody, EmptyBody, IncidentIdParams, IncidentStatusSchema, NoteBody, PriorityBody, ReasonBody, ResolveBody } from '../schemas/incident';

type Incident = NonNullable<Awaited<ReturnType<ApiDeps['prisma']['incident']['findUnique']>>>;

const badField = (field: string, message: string) => httpErrors.validation([{ location: 'body', field, message, code: 'unknown_reference' }]);

export function incidentActionRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const action = recordActions<Incident, IncidentStatus>(router, registry, {
    path: '/api/incidents',
    tag: 'incidents',
    noun: 'incident',
    params: IncidentIdParams,
    status: IncidentStatusSchema,
    async find(id, principal) {
      const incident = await deps.prisma.incident.findUnique({ where: { id } });
      if (!incident || (!hasAnyRole(principal, STAFF) && incident.requesterId !== principal.id)) throw httpErrors.notFound(`no incident ${id}`);
      return incident;
    },
  });

  action({
    verb: 'assign',
    summary: 'Assign to a group and/or a person',
    roles: STAFF,
    body: AssignBody,
    async run({ record: incident, body, principal }) {
      let groupName: string | undefined;
      if (body.groupId) {
        const group = await deps.prisma.group.findUnique({ where: { id: body.groupId } });
        if (!group) throw badField('groupId', `no group ${body.groupId}`);
        if (group.deactivatedAt) throw badField('groupId', `${group.name} is deactivated`);
        groupName = group.name;
      }
      let assigneeEmail: string | null = null;
      if (body.assigneeId) {
        const assignee = await deps.prisma.user.findUnique({ where: { id: body.assigneeId }, include: { memberOf: true } });
        if (!assignee || !hasAnyRole({ ...assignee, roles: assignee.roles }, STAFF)) throw badField('assigneeId', `${body.assigneeId} is not an agent`);
        if (assignee.deactivatedAt) throw badField('assigneeId', `${assignee.email} is deactivated`);
        const groupId = body.groupId ?? incident.groupId;
        if (groupId && !assignee.memberOf.some((m) => m.groupId === groupId)) throw badField('assigneeId', `${assignee.email} is not a member of the assigned group`);
        assigneeEmail = assignee.email;
      }
      return sendIncidentUpdate(deps, incident, assignUpdate, { actorId: principal.id, groupId: body.groupId, groupName, assigneeId: body.assigneeId, assigneeEmail });
    },
  });

  action({
    verb: 'acknowledge',
    summary: 'Take the incident into work (first response)',
    roles: STAFF,
    body: EmptyBody,
    run: ({ record: incident, principal }) => sendIncidentUpdate(deps, incident, acknowledgeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'notes',
    summary: "Add a note: an agent's public note is a first response; a customer's reply resumes a pending incident",
    roles: EVERYONE,
    body: NoteBody,
    run: ({ record: incident, body, principal }) => {
      const agent = hasAnyRole(principal, STAFF);
      if (!agent && body.visibility === 'internal') throw httpErrors.forbidden('customers cannot write internal notes');
      return sendIncidentUpdate(deps, incident, addNoteUpdate, {
        actorId: principal.id,
        body: body.body,
        visibility: agent ? (body.visibility ?? 'internal') : 'public',
        author: agent ? 'agent' : 'customer',
      });
    },
  });

  action({
    verb: 'pending',
    summary: 'Wait on the customer or a third party (pauses the resolution clock)',
    roles: STAFF,
    body: ReasonBody,
    run: ({ record: incident, body, principal }) => sendIncidentUpdate(deps, incident, setPendingUpdate, { actorId: principal.id, reason: body.reason }),
  });

  action({
    verb: 'resume',
    summary: 'Resume work (restarts the resolution clock)',
    roles: STAFF,
    body: EmptyBody,
    run: ({ record: incident, principal }) => sendIncidentUpdate(deps, incident, resumeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'priority',
    summary: 'Change impact and urgency (or, for managers, the priority itself); deadlines move, elapsed time is kept',
    roles: STAFF,
    body: PriorityBody,
    async run({ record: incident, body, principal }) {
      if (body.priority && !hasAnyRole(principal, ['manager', 'admin'])) throw httpErrors.forbidden('only managers and administrators override the priority matrix');
      const impact = body.impact ?? (incident.impact as 'high' | 'medium' | 'low');
      const urgency = body.urgency ?? (incident.urgency as 'high' | 'medium' | 'low');
      const service = await deps.prisma.service.findUniqueOrThrow({ where: { id: incident.serviceId } });
      const priority = body.priority ?? priorityFor(impact, urgency, service.priorityMatrix);
      return sendIncidentUpdate(deps, incident, changePriorityUpdate, { actorId: principal.id, priority, impact, urgency, reason: body.reason });
    },
  });

  action({
    verb: 'resolve',
    summary: 'Resolve (stops the resolution clock; auto-closes after the policy delay unless reopened)',
    roles: STAFF,
    body: ResolveBody,
    run: ({ record: incident, body, principal }) => sendIncidentUpdate(deps, incident, resolveUpdate, { actorId: principal.id, code: body.code, summary: body.summary }),
  });

  action({
    verb: 'reopen',
    summary: 'Reopen within the reopen window (the resolution clock carries on)',
    roles: EVERYONE,
    body: ReasonBody,
    run: ({ record: incident, body, principal }) => sendIncidentUpdate(deps, incident, reopenUpdate, { actorId: principal.id, reason: body.reason }),
  });

  action({
    verb: 'close',
    summary: 'Close a resolved incident (the requester confirms, or an agent)',
    roles: EVERYONE,
    body: EmptyBody,
    run: ({ record: incident, principal }) => sendIncidentUpdate(deps, incident, closeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'major',
    summary: 'Declare a major incident (P1, service owner and management notified)',
    roles: ['manager', 'admin'],
    body: ReasonBody,
    run: ({ record: incident, body, principal }) => sendIncidentUpdate(deps, incident, declareMajorUpdate, { actorId: principal.id, reason: body.reason }),
  });
}
