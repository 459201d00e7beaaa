import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { nextComplaintNumber, writeComplaintRecord } from '../activities/complaint';
import { complaintWorkflowId, DEFAULT_COMPLAINT_POLICIES, type ComplaintOpened, type ComplaintSeverity } from '../domain/complaint';
import { complaintStartDetails, complaintSummary } from '../domain/complaint-metadata';
import { incidentReference } from '../domain/incident';
import type { complaintHandling } from '../workflows/complaint';
import { hasAnyRole, STAFF, type Principal } from './auth';
import type { ApiDeps } from './deps';
import { httpErrors } from './problem-details';
import type { CreateComplaintBody } from './schemas/complaint';
import { recordApiUrl } from './workflow-links';
import { startRecordWorkflow } from './workflow-start';

const unknown = (field: string, message: string) => httpErrors.validation([{ location: 'body', field, message, code: 'unknown_reference' }]);

/** A complaint's handler must be staff: 400 naming `handlerId` otherwise. */
export async function complaintHandler(deps: ApiDeps, handlerId: string) {
  const handler = await deps.prisma.user.findUnique({ where: { id: handlerId } });
  if (!handler || !handler.roles.some((role) => STAFF.includes(role))) throw unknown('handlerId', `no staff member ${handlerId}`);
  return handler;
}

export async function complaintPolicy(deps: ApiDeps, severity: ComplaintSeverity) {
  const stored = await deps.prisma.complaintPolicy.findUnique({ where: { severity } });
  return stored ? { targetSeconds: stored.targetSeconds, remindBeforeSeconds: stored.remindBeforeSeconds, escalateAfterSeconds: stored.escalateAfterSeconds } : DEFAULT_COMPLAINT_POLICIES[severity];
}

/**
 * A complaint as logged by the complainant, or by staff on a customer's behalf: checked, its target fixed
 * from the severity's policy, its workflow started with the whole record, then the row written.
 */
export async function logComplaint(deps: ApiDeps, body: z.infer<typeof CreateComplaintBody>, principal: Principal) {
  const { prisma } = deps;
  const staff = hasAnyRole(principal, STAFF);
  const complainantId = body.complainantId ?? principal.id;
  if (complainantId !== principal.id && !staff) throw httpErrors.forbidden('only staff log a complaint on behalf of someone else');
  const complainant = await prisma.user.findUnique({ where: { id: complainantId } });
  if (!complainant) throw unknown('complainantId', `no user ${complainantId}`);
  // A customer complains about their own incidents; others' are not even acknowledged to exist.
  const incident = body.incidentId ? await prisma.incident.findFirst({ where: { id: body.incidentId, ...(staff ? {} : { requesterId: principal.id }) } }) : null;
  if (body.incidentId && !incident) throw unknown('incidentId', `no incident ${body.incidentId}`);
  const serviceId = body.serviceId ?? incident?.serviceId ?? null;
  const service = serviceId ? await prisma.service.findUnique({ where: { id: serviceId } }) : null;
  if (serviceId && !service) throw unknown('serviceId', `no service ${serviceId}`);
  if (body.handlerId) {
    if (!staff) throw httpErrors.forbidden('only staff choose who handles a complaint');
    await complaintHandler(deps, body.handlerId);
  }
  // The service owner answers for the service unless someone else is named; with neither, the managers.
  const handlerId = body.handlerId ?? service?.ownerId ?? null;
  const handler = handlerId ? await prisma.user.findUnique({ where: { id: handlerId } }) : null;
  const policy = await complaintPolicy(deps, body.severity);
  const openedAt = Date.now();
  const opened: ComplaintOpened = {
    complaintId: randomUUID(),
    number: await nextComplaintNumber(prisma),
    subject: body.subject,
    description: body.description,
    severity: body.severity,
    complainantId,
    serviceId,
    incidentId: incident?.id ?? null,
    handlerId,
    loggedById: principal.id,
    openedAt: new Date(openedAt).toISOString(),
    dueAt: new Date(openedAt + policy.targetSeconds * 1000).toISOString(),
    remindBeforeSeconds: [...policy.remindBeforeSeconds],
    escalateAfterSeconds: policy.escalateAfterSeconds,
  };
  const names = { complainant: complainant.name, service: service?.name, handler: handler?.name, incident: incident && incidentReference(incident.number) };
  await startRecordWorkflow<typeof complaintHandling>(deps, 'complaintHandling', {
    workflowId: complaintWorkflowId(opened.complaintId),
    args: [opened],
    kind: 'complaint',
    state: opened.handlerId ? 'investigating' : 'received',
    summary: complaintSummary(opened, names),
    details: complaintStartDetails(opened, recordApiUrl(deps, `/api/complaints/${opened.complaintId}`), names),
  });
  await writeComplaintRecord(prisma, opened);
  return opened.complaintId;
}
