import type { WorkflowHandle } from '@temporalio/client';

/** What the Temporal UI shows of a workflow: its list line, its static details, and the details it keeps current. */
export async function uiView(handle: WorkflowHandle) {
  // Details first: the search attributes described after them are at least as new.
  const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  const description = await handle.describe();
  return { summary: await description.staticSummary(), details: await description.staticDetails(), currentDetails, attributes: description.typedSearchAttributes };
}

/** The summaries on a workflow's timers and activities, in the order of its timeline. */
export async function timeline(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((event) => {
    const summary = event.userMetadata?.summary?.data;
    return summary && (event.timerStartedEventAttributes || event.activityTaskScheduledEventAttributes) ? [JSON.parse(Buffer.from(summary).toString('utf8')) as string] : [];
  });
}
