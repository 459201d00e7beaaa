import { temporalUiWorkflowUrl } from '../domain/workflow-metadata';
import type { ApiDeps } from './deps';

/** A record's workflow as its API answer names it: managers follow `temporalUiUrl` to watch its clocks. */
export interface WorkflowLink {
  id: string;
  temporalUiUrl: string | null;
}

export function workflowLink(deps: Pick<ApiDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string): WorkflowLink {
  return { id: workflowId, temporalUiUrl: deps.temporalUiUrl ? temporalUiWorkflowUrl(deps.temporalUiUrl, deps.namespace, workflowId) : null };
}

/**
 * The record's API address for the workflow's details, so the Temporal UI links back to the record. Absolute
 * when the deployment knows its public URL, else relative to the API's origin.
 */
export function recordApiUrl(deps: Pick<ApiDeps, 'publicUrl'>, path: string): string {
  return `${(deps.publicUrl ?? '').replace(/\/+$/, '')}${path}`;
}
