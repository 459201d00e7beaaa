import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { COMPLAINT_SEVERITIES, complaintReference } from '../../domain/complaint';
import { isoOrNull } from '../../domain/instants';
import type { Complaint } from '../../prisma/generated/client';
import { assignComplaintUpdate, closeComplaintUpdate, type ComplaintStatus } from '../../workflows/complaint.messages';
import { EVERYONE, hasAnyRole, MANAGERS, STAFF, type Principal } from '../auth';
import { complaintHandler, complaintPolicy, logComplaint } from '../complaint-intake';
import type { ApiDeps } from '../deps';
import { foundOr404 } from '../problem-details';
import { recordActions } from '../record-action';
import { defineRoute } from '../route';
import { workflowLink } from '../workflow-links';
import { recordUpdater } from '../workflow-updates';
import {
  AssignComplaintBody,
  CloseComplaintBody,
  ComplaintIdParams,
  ComplaintPolicySchema,
  ComplaintStatusSchema,
  CreateComplaintBody,
  ListComplaintsQuery,
  PutComplaintPolicyBody,
  SeverityParams,
} from '../schemas/complaint';


function complaintView(complaint: Complaint) {
  return {
    id: complaint.id,
    reference: complaintReference(complaint.number),
    subject: complaint.subject,
    description: complaint.description,
    severity: complaint.severity,
    state: complaint.state,
    complainantId: complaint.complainantId,
    serviceId: complaint.serviceId,
    incidentId: complaint.incidentId,
    handlerId: complaint.handlerId,
    loggedById: complaint.loggedById,
    dueAt: complaint.dueAt.toISOString(),
    escalationLevel: complaint.escalationLevel,
    outcome: complaint.outcome,
    resolution: complaint.resolution,
    closedAt: isoOrNull(complaint.closedAt),
    closedById: complaint.closedById,
    createdAt: complaint.createdAt.toISOString(),
  };
}

/** Service complaints: logged by anyone, seen by their complainant and by staff, handled to a formal close. */
export function complaintRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  // Customers see their own complaints only; anyone else's is answered as not found.
  const visibleTo = (principal: Principal) => (hasAnyRole(principal, STAFF) ? {} : { complainantId: principal.id });
  const findComplaint = (id: string, principal: Principal) => foundOr404(prisma.complaint.findFirst({ where: { id, ...visibleTo(principal) } }), `complaint ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/complaint-policies',
    summary: 'How long a complaint of each severity may stay open, when its handler is reminded and when it is escalated',
    tags: ['complaints'],
    roles: STAFF,
    responses: { 200: { description: 'The policies in force', schema: z.object({ items: z.array(ComplaintPolicySchema) }) } },
    async handler() {
      const items = await Promise.all(COMPLAINT_SEVERITIES.map(async (severity) => ({ severity, ...(await complaintPolicy(deps, severity)) })));
      return { status: 200, body: { items } };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/complaint-policies/:severity',
    summary: "Set one severity's complaint policy (complaints logged from now on use it)",
    tags: ['complaints'],
    roles: MANAGERS,
    params: SeverityParams,
    body: PutComplaintPolicyBody,
    responses: { 200: { description: 'The policy', schema: ComplaintPolicySchema } },
    async handler({ params, body }) {
      const { updatedAt: _at, ...policy } = await prisma.complaintPolicy.upsert({ where: { severity: params.severity }, update: body, create: { severity: params.severity, ...body } });
      return { status: 200, body: policy };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/complaints',
    summary: 'Log a complaint (yours, or, for staff, a customer’s); its target comes from the severity’s policy',
    tags: ['complaints'],
    roles: EVERYONE,
    body: CreateComplaintBody,
    responses: { 201: { description: 'Logged' } },
    async handler({ body, principal }) {
      const id = await logComplaint(deps, body, principal);
      return { status: 201, body: complaintView(await findComplaint(id, principal)) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/complaints',
    summary: 'Complaints, newest first (customers see their own)',
    tags: ['complaints'],
    roles: EVERYONE,
    query: ListComplaintsQuery,
    responses: { 200: { description: 'Complaints' } },
    async handler({ query, principal }) {
      const rows = await prisma.complaint.findMany({ where: { state: query.state, ...visibleTo(principal) }, orderBy: { number: 'desc' }, take: query.limit });
      return { status: 200, body: { items: rows.map(complaintView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/complaints/:id',
    summary: 'One complaint with its history',
    tags: ['complaints'],
    roles: EVERYONE,
    params: ComplaintIdParams,
    responses: { 200: { description: 'The complaint' }, 404: { description: 'No such complaint (or not yours)' } },
    async handler({ params, principal }) {
      const complaint = await findComplaint(params.id, principal);
      const events = await prisma.complaintEvent.findMany({ where: { complaintId: complaint.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
      // The Temporal UI is the staff's tool: a customer's answer does not point into it.
      const workflow = hasAnyRole(principal, STAFF) ? { workflow: workflowLink(deps, complaint.workflowId) } : {};
      return { status: 200, body: { ...complaintView(complaint), events: events.map(({ type, actorId, at, data }) => ({ type, actorId, at: at.toISOString(), data })), ...workflow } };
    },
  });

  const action = recordActions<Complaint, ComplaintStatus>(router, registry, {
    path: '/api/complaints',
    tag: 'complaints',
    noun: 'complaint',
    params: ComplaintIdParams,
    status: ComplaintStatusSchema,
    find: findComplaint,
  });
  const send = recordUpdater(deps.temporal, 'complaint', (id) => prisma.complaint.findUnique({ where: { id }, select: { state: true } }));

  action({
    verb: 'assign',
    summary: 'Give the complaint to a handler (managers)',
    roles: MANAGERS,
    body: AssignComplaintBody,
    async run({ record, body, principal }) {
      const handler = await complaintHandler(deps, body.handlerId);
      return send(record, assignComplaintUpdate, { actorId: principal.id, handlerId: handler.id });
    },
  });

  action({
    verb: 'close',
    summary: 'Close the complaint formally with its outcome and resolution, which are mailed to the complainant (its handler or a manager)',
    roles: STAFF,
    body: CloseComplaintBody,
    run: ({ record, body, principal }) => send(record, closeComplaintUpdate, { actorId: principal.id, isManager: hasAnyRole(principal, MANAGERS), outcome: body.outcome, resolution: body.resolution }),
  });
}
