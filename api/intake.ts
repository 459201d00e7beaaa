import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { incidentWorkflowId, type IncidentOpened } from '../domain/incident';
import { priorityFor, type Level } from '../domain/priority';
import type { Db } from '../prisma/database';
import { ItsmKind, ItsmPriority, ItsmService, ItsmState } from '../temporal-config/search-attributes';
import type { incidentLifecycle } from '../workflows/incident';
import { problems } from './problem';

export interface IncidentIntake {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  serviceId: string;
}

/**
 * Writes the record and starts its workflow in one database transaction: if Temporal refuses the start, the
 * row is rolled back, so there is never an incident without its SLA clock.
 */
export async function openIncident(deps: { prisma: Db; temporal: Client; taskQueue: string }, intake: IncidentIntake, requesterId: string) {
  const service = await deps.prisma.service.findUnique({ where: { id: intake.serviceId } });
  if (!service) {
    throw problems.validation([{ location: 'body', field: 'serviceId', message: `no service with id ${intake.serviceId}`, code: 'unknown_reference' }]);
  }
  const priority = priorityFor(intake.impact, intake.urgency, service.priorityMatrix);
  const id = randomUUID();
  const workflowId = incidentWorkflowId(id);
  try {
    return await deps.prisma.$transaction(
      async (tx) => {
        const incident = await tx.incident.create({
          data: { id, workflowId, ...intake, priority, serviceId: service.id, requesterId },
        });
        const opened: IncidentOpened = {
          incidentId: id,
          number: incident.number,
          title: incident.title,
          description: incident.description,
          impact: intake.impact,
          urgency: intake.urgency,
          priority,
          serviceId: service.id,
          serviceCode: service.code,
          requesterId,
          openedAt: incident.createdAt.toISOString(),
        };
        await deps.temporal.workflow.start<typeof incidentLifecycle>('incidentLifecycle', {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [opened],
          typedSearchAttributes: [
            { key: ItsmKind, value: 'incident' },
            { key: ItsmState, value: incident.state },
            { key: ItsmPriority, value: priority },
            { key: ItsmService, value: service.code },
          ],
        });
        return incident;
      },
      { timeout: 20_000, maxWait: 10_000 },
    );
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') throw problems.conflict(`workflow ${workflowId} already exists`);
    if (isTemporalUnavailable(error)) throw problems.unavailable(`the workflow engine is unreachable, nothing was recorded: ${(error as Error).message}`);
    throw error;
  }
}

function isTemporalUnavailable(error: unknown): boolean {
  const name = (error as Error)?.name ?? '';
  return name === 'ServiceError' || name === 'ConnectionError' || /UNAVAILABLE|DEADLINE_EXCEEDED/.test(String((error as Error)?.message));
}
