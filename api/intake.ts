import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { incidentWorkflowId, type IncidentOpened } from '../domain/incident';
import { priorityFor, type Level } from '../domain/priority';
import type { Db } from '../prisma/database';
import { ItsmKind, ItsmPriority, ItsmService, ItsmState } from '../temporal-config/search-attributes';
import type { incidentLifecycle } from '../workflows/incident';
import { resolveCis } from './ci-references';
import { problems } from './problem';
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

/**
 * Starts the incident's workflow first, with the whole record in its input, and writes the row after. The
 * workflow's first activity upserts the same row from that input, so an API that dies between the two steps
 * still leaves a complete incident, and a refused start leaves nothing. No database transaction is held across
 * the call to Temporal, which on single-connection PGlite would stall every other query while it waits.
 */
export async function openIncident(deps: { prisma: Db; temporal: Client; taskQueue: string }, intake: IncidentIntake, requesterId: string) {
  const service = await deps.prisma.service.findUnique({ where: { id: intake.serviceId } });
  if (!service) {
    throw problems.validation([{ location: 'body', field: 'serviceId', message: `no service with id ${intake.serviceId}`, code: 'unknown_reference' }]);
  }
  const cis = await resolveCis(deps.prisma, intake.cis ?? [], 'cis');
  const priority = priorityFor(intake.impact, intake.urgency, service.priorityMatrix);
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
    category: intake.category ?? null,
    ciIds: cis.map((ci) => ci.id),
  };
  await startRecordWorkflow<typeof incidentLifecycle>(deps.temporal, 'incidentLifecycle', {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [opened],
    typedSearchAttributes: [
      { key: ItsmKind, value: 'incident' },
      { key: ItsmState, value: 'new' },
      { key: ItsmPriority, value: priority },
      { key: ItsmService, value: service.code },
    ],
  });
  const { cis: _named, ...fields } = intake;
  // The workflow's first activity writes the same row, maybe at this very moment: an insert that skips an
  // existing row cannot collide with it, where an upsert (read, then insert) can.
  await deps.prisma.$transaction([
    deps.prisma.incident.createMany({ data: [{ id, number, workflowId, ...fields, priority, serviceId: service.id, requesterId, createdAt: openedAt }], skipDuplicates: true }),
    deps.prisma.incidentCi.createMany({ data: opened.ciIds!.map((ciId) => ({ incidentId: id, ciId })), skipDuplicates: true }),
  ]);
  return deps.prisma.incident.findUniqueOrThrow({ where: { id } });
}
