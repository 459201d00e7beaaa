import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { httpErrors } from './problem-details';

/**
 * Starts a record's workflow before its row is written: a refused start leaves nothing behind, and the
 * answer says why (409 when the id is taken, 503 when Temporal cannot be reached).
 */
export async function startRecordWorkflow<W extends Workflow>(temporal: Client, workflowType: string, options: WorkflowStartOptions<W>): Promise<void> {
  try {
    await temporal.workflow.start<W>(workflowType, options);
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') throw httpErrors.conflict(`workflow ${options.workflowId} already exists`);
    if (isTemporalUnavailable(error)) throw httpErrors.unavailable(`the workflow engine is unreachable, nothing was recorded: ${(error as Error).message}`);
    throw error;
  }
}

function isTemporalUnavailable(error: unknown): boolean {
  const name = (error as Error)?.name ?? '';
  return name === 'ServiceError' || name === 'ConnectionError' || /UNAVAILABLE|DEADLINE_EXCEEDED/.test(String((error as Error)?.message));
}
