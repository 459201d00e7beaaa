import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/client';
import type { Db } from '../prisma/database';
import { ILLEGAL_TRANSITION, type IncidentStatus } from '../workflows/incident.messages';
import type { ApiDeps } from './deps';
import { problems } from './problem';

/**
 * Sends one Update to the incident's workflow. The workflow's validator refuses an illegal transition before
 * anything is written, and that refusal becomes a 409 carrying the state the incident is in.
 */
export async function sendIncidentUpdate<Input>(deps: ApiDeps, incident: { id: string; workflowId: string }, update: UpdateDefinition<IncidentStatus, [Input]>, input: Input): Promise<IncidentStatus> {
  try {
    return await deps.temporal.workflow.getHandle(incident.workflowId).executeUpdate(update, { args: [input] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === ILLEGAL_TRANSITION) {
      const [details] = (error.cause.details ?? []) as { state?: string }[];
      throw problems.conflict(error.cause.message, { currentState: details?.state });
    }
    if (error instanceof WorkflowNotFoundError || /already completed/i.test(String((error as Error)?.message))) {
      const state = await currentState(deps.prisma, incident.id);
      throw problems.conflict(`the incident is ${state}; its lifecycle has ended`, { currentState: state });
    }
    throw error;
  }
}

async function currentState(prisma: Db, id: string): Promise<string> {
  return (await prisma.incident.findUnique({ where: { id }, select: { state: true } }))?.state ?? 'unknown';
}
