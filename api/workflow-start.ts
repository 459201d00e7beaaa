import type { WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import { ItsmKind, ItsmState } from '../temporal-config/search-attributes';
import type { ApiDeps } from './deps';
import { httpErrors } from './problem-details';

export interface RecordStart<W extends Workflow> extends Pick<WorkflowStartOptions<W>, 'workflowId' | 'args' | 'memo'> {
  /** The record's kind and opening state, what the Temporal UI filters on before the workflow's first upsert. */
  kind: string;
  state?: string;
  /** Further attributes known at the opening (priority, service, assignee). */
  searchAttributes?: SearchAttributePair[];
  /** The line a manager reads in the Temporal UI's workflow list (domain/workflow-metadata.ts `summaryLine`). */
  summary: string;
  /** The record's key facts and its API link, in Markdown (`detailsMarkdown`). */
  details: string;
}

/**
 * Starts a record's workflow before its row is written: a refused start leaves nothing behind, and the
 * answer says why (409 when the id is taken, 503 when Temporal cannot be reached).
 */
export async function startRecordWorkflow<W extends Workflow>(deps: Pick<ApiDeps, 'temporal' | 'taskQueue'>, workflowType: string, start: RecordStart<W>): Promise<void> {
  const { kind, state, searchAttributes = [], summary, details, ...options } = start;
  const opening: SearchAttributePair[] = [{ key: ItsmKind, value: kind }, ...(state ? [{ key: ItsmState, value: state }] : []), ...searchAttributes];
  try {
    await deps.temporal.workflow.start<W>(workflowType, { ...options, taskQueue: deps.taskQueue, typedSearchAttributes: opening, staticSummary: summary, staticDetails: details } as WorkflowStartOptions<W>);
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') throw httpErrors.conflict(`workflow ${start.workflowId} already exists`);
    if (isTemporalUnavailable(error)) throw httpErrors.unavailable(`the workflow engine is unreachable, nothing was recorded: ${(error as Error).message}`);
    throw error;
  }
}

function isTemporalUnavailable(error: unknown): boolean {
  const name = (error as Error)?.name ?? '';
  return name === 'ServiceError' || name === 'ConnectionError' || /UNAVAILABLE|DEADLINE_EXCEEDED/.test(String((error as Error)?.message));
}
