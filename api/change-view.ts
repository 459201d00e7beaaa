import { changeReference } from '../domain/change';
import { isoOrNull } from '../domain/instants';
import { changeScope, type ChangeWithScope } from '../records/changes';
import type { ApiDeps } from './deps';
import { workflowLink } from './workflow-links';

/** The change as the API shows it (dates as ISO strings, the cost as a number, services as ids, its workflow in the Temporal UI). */
export function changeView(deps: Pick<ApiDeps, 'temporalUiUrl' | 'namespace'>, change: ChangeWithScope) {
  return {
    id: change.id,
    number: change.number,
    reference: changeReference(change.number),
    type: change.type,
    state: change.state,
    title: change.title,
    description: change.description,
    justification: change.justification,
    implementationPlan: change.implementationPlan,
    backoutPlan: change.backoutPlan,
    requesterId: change.requesterId,
    templateId: change.templateId,
    serviceIds: change.services.map((s) => s.serviceId),
    affectedCis: changeScope(change).cis,
    plannedStart: change.plannedStart.toISOString(),
    plannedEnd: change.plannedEnd.toISOString(),
    estimatedCost: Number(change.estimatedCost),
    currency: change.currency,
    costApprovedAt: isoOrNull(change.costApprovedAt),
    riskScore: change.riskScore,
    riskLevel: change.riskLevel as 'low' | 'medium' | 'high' | 'critical' | null,
    downtime: change.declaresDowntime,
    approvalDueAt: isoOrNull(change.approvalDueAt),
    escalationLevel: change.escalationLevel,
    scheduledStart: isoOrNull(change.scheduledStart),
    scheduledEnd: isoOrNull(change.scheduledEnd),
    outcome: change.outcome,
    reviewDueAt: isoOrNull(change.reviewDueAt),
    closedAt: isoOrNull(change.closedAt),
    closeReason: change.closeReason,
    workflowId: change.workflowId,
    workflow: workflowLink(deps, change.workflowId),
    createdAt: change.createdAt.toISOString(),
    updatedAt: change.updatedAt.toISOString(),
  };
}
