import { startChild, type ChildWorkflowOptions, type ParentClosePolicy, type Workflow } from '@temporalio/workflow';

/** What a yearly child starts with besides its id and arguments: its ItsmKind and what the Temporal UI shows of it. */
export type ChildMetadata = Pick<ChildWorkflowOptions, 'typedSearchAttributes' | 'staticSummary' | 'staticDetails'>;

/** Starts a child workflow unless one with its id exists already (e.g. this year's review): true when started. */
export async function startChildOnce<W extends Workflow>(workflow: W, options: { workflowId: string; args: Parameters<W>; parentClosePolicy: ParentClosePolicy } & ChildMetadata): Promise<boolean> {
  try {
    // The SDK's overloads cannot tell that these options carry W's arguments.
    await startChild(workflow, options as never);
    return true;
  } catch (error) {
    if ((error as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw error;
    return false;
  }
}
