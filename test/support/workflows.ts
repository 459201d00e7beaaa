import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** Whether Temporal has a workflow of that id; any other error (e.g. unreachable) is not taken as "missing". */
export function workflowExistsIn(client: Client) {
  return (workflowId: string) =>
    client.workflow.getHandle(workflowId).describe().then(
      () => true,
      (error) => !(error instanceof WorkflowNotFoundError),
    );
}
