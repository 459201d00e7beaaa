import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { incidentWorkflowId, openingColumns, type IncidentOpened } from '../domain/incident';
import type { IntakeChannel } from '../domain/routing';
import { priorityFor, type Level } from '../domain/priority';
import type { Db } from '../prisma/database';
import { ItsmAssignee, ItsmPriority, ItsmService } from '../temporal-config/search-attributes';
import type { incidentLifecycle } from '../workflows/incident';
import { resolveCis } from './ci-references';
import { routeNewIncident } from './incident-routing';
import { httpErrors } from './problem-details';
import { startRecordWorkflow } from './workflow-start';

export interface IncidentIntake {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  serviceId: string;
  category?: string;
  cis?: string[];
}

/** Who the incident is for, who wrote it down, and how it reached the service desk. */
export interface IntakeOrigin {
  requesterId: string;
  loggedById: string | null;
  channel: IntakeChannel;
}

/**
 * Starts the incident's workflow first, with the whole record in its input, and writes the row after. The
 * workflow's first activity upserts the same row from that input, so an API that dies between the two steps
 * still leaves a complete incident, and a refused start leaves nothing. No database transaction is held across
 * the call to Temporal, which on single-connection PGlite would stall every other query while it waits.
 */
export async function openIncident(deps: { prisma: Db; temporal: Client; taskQueue: string }, intake: IncidentIntake, origin: IntakeOrigin) {
  const { requesterId } = origin;
  // One read brings what intake decides on: the service, which priorities have a policy, whether its default group is active.
  const service = await deps.prisma.service.findUnique({
    where: { id: intake.serviceId },
    include: { slaPolicies: { select: { priority: true } }, defaultGroup: { select: { id: true, deactivatedAt: true } } },
  });
  if (!service) {
    throw httpErrors.validation([{ location: 'body', field: 'serviceId', message: `no service with id ${intake.serviceId}`, code: 'unknown_reference' }]);
  }
  if (service.retiredAt) {
    throw httpErrors.conflict(`service ${service.code} was retired on ${service.retiredAt.toISOString().slice(0, 10)} and takes no new incidents`, { currentState: 'retired' });
  }
  const cis = await resolveCis(deps.prisma, intake.cis ?? [], 'cis');
  const priority = priorityFor(intake.impact, intake.urgency, service.priorityMatrix);
  // Without a policy the incident would have no clock at all: refuse it while the caller can still act.
  if (!service.slaPolicies.some((policy) => policy.priority === priority)) {
    throw httpErrors.conflict(`service ${service.code} has no SLA policy for ${priority}; a manager or administrator adds one with POST /api/sla-policies`, { serviceId: service.id, priority });
  }
  const category = intake.category ?? null;
  const routed = await routeNewIncident(deps.prisma, { serviceId: service.id, category, ciTypes: [...new Set(cis.map((ci) => ci.type))] }, service.defaultGroup?.deactivatedAt ? null : (service.defaultGroup?.id ?? null));
  const id = randomUUID();
  const workflowId = incidentWorkflowId(id);
  const [{ number }] = await deps.prisma.$queryRaw<{ number: number }[]>`SELECT nextval(pg_get_serial_sequence('"Incident"', 'number'))::int AS number`;
  const openedAt = new Date();
  const opened: IncidentOpened = {
    incidentId: id,
    number,
    title: intake.title,
    description: intake.description,
    impact: intake.impact,
    urgency: intake.urgency,
    priority,
    serviceId: service.id,
    serviceCode: service.code,
    requesterId,
    openedAt: openedAt.toISOString(),
    category,
    ciIds: cis.map((ci) => ci.id),
    groupId: routed?.groupId ?? null,
    assigneeId: routed?.assignee?.id ?? null,
    assigneeEmail: routed?.assignee?.email ?? null,
    channel: origin.channel,
    loggedById: origin.loggedById,
  };
  await startRecordWorkflow<typeof incidentLifecycle>(deps, 'incidentLifecycle', {
    workflowId,
    args: [opened],
    kind: 'incident',
    state: openingColumns(opened).state,
    searchAttributes: [{ key: ItsmPriority, value: priority }, { key: ItsmService, value: service.code }, ...(routed?.assignee ? [{ key: ItsmAssignee, value: routed.assignee.email }] : [])],
  });
  const { cis: _named, ...fields } = intake;
  // The workflow's first activity writes the same row, maybe at this very moment: an insert that skips an
  // existing row cannot collide with it, where an upsert (read, then insert) can.
  await deps.prisma.$transaction([
    deps.prisma.incident.createMany({ data: [{ id, number, workflowId, ...fields, ...openingColumns(opened), channel: origin.channel, loggedById: origin.loggedById, priority, serviceId: service.id, requesterId, createdAt: openedAt }], skipDuplicates: true }),
    deps.prisma.incidentCi.createMany({ data: opened.ciIds!.map((ciId) => ({ incidentId: id, ciId })), skipDuplicates: true }),
  ]);
  return deps.prisma.incident.findUniqueOrThrow({ where: { id } });
}
