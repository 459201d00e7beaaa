import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type UpdateDefinition } from '@temporalio/client';
import { ILLEGAL_TRANSITION, NOT_ALLOWED, SCHEDULE_CONFLICT } from '../workflows/refusals';
import { httpErrors } from './problem-details';

/**
 * An Update sender for one kind of record: each call goes to the record's workflow, and a refusal or an ended
 * workflow answers with the state `stateOf` reads from the database.
 */
export function recordUpdater(temporal: Client, noun: string, stateOf: (id: string) => Promise<{ state: string } | null>) {
  return <Status, Input>(record: { id: string; workflowId: string }, update: UpdateDefinition<Status, [Input]>, input: Input): Promise<Status> =>
    sendRecordUpdate(temporal, { workflowId: record.workflowId, noun, currentState: async () => (await stateOf(record.id))?.state ?? 'unknown' }, update, input);
}

/**
 * Sends one Update to a record's workflow. The workflow's validator refuses an illegal transition before
 * anything is written; the refusal becomes a 409 carrying the record's current state (403 when the person may
 * not act, 409 with the conflicts when a schedule collides). A workflow that has ended answers from the record.
 */
export async function sendRecordUpdate<Result, Input>(
  temporal: Client,
  record: { workflowId: string; noun: string; currentState: () => Promise<string> },
  update: UpdateDefinition<Result, [Input]>,
  input: Input,
): Promise<Result> {
  try {
    return await temporal.workflow.getHandle(record.workflowId).executeUpdate(update, { args: [input] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const [details] = (error.cause.details ?? []) as { state?: string; conflicts?: unknown[] }[];
      if (error.cause.type === ILLEGAL_TRANSITION) throw httpErrors.conflict(error.cause.message, { currentState: details?.state });
      if (error.cause.type === NOT_ALLOWED) throw httpErrors.forbidden(error.cause.message);
      if (error.cause.type === SCHEDULE_CONFLICT) throw httpErrors.conflict(error.cause.message, { currentState: details?.state, conflicts: details?.conflicts });
    }
    if (error instanceof WorkflowNotFoundError || /already completed/i.test(String((error as Error)?.message))) {
      const state = await record.currentState();
      throw httpErrors.conflict(`the ${record.noun} is ${state}; its lifecycle has ended`, { currentState: state });
    }
    throw error;
  }
}
