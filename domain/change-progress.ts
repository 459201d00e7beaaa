// What a change's workflow knows beside its state: the record's workflow-owned columns, what the API's status
// shows, and the instant managers see as due in the Temporal UI.
import type { ApprovalStages, StageStatus } from './change-approval';
import type { ChangeState, ChangeType, RiskAssessment, RiskLevel } from './change';
import type { Conflict } from './change-schedule';
import { isoOrNull } from './instants';

/** The record's workflow-owned columns, written whole on every change so a retry is harmless. */
export interface ChangeSnapshot {
  state: ChangeState;
  approvalDueAt: string | null;
  escalationLevel: number;
  costApprovedAt: string | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  conflictOverride: { reason: string; actorId: string; conflicts: Conflict[] } | null;
  implementationStartedAt: string | null;
  implementedAt: string | null;
  outcome: 'successful' | 'failed' | null;
  backout: { performed: boolean; notes: string; reason: string } | null;
  reviewDueAt: string | null;
  review: { summary: string; lessons: string; actorId: string } | null;
  closedAt: string | null;
  closeReason: string | null;
}

export interface ChangeStatus {
  state: ChangeState;
  type: ChangeType;
  riskScore: number | null;
  riskLevel: RiskLevel | null;
  /** The approval stage under way (or the last one decided). */
  stage: StageStatus | null;
  stages: number;
  escalationLevel: number;
  approvalDueAt: string | null;
  costApprovedAt: string | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  conflicts: Conflict[];
  reviewDueAt: string | null;
  outcome: 'successful' | 'failed' | null;
  closeReason: string | null;
}

/** Instants as epoch milliseconds, as the workflow keeps them. */
export interface ChangeProgress {
  type: ChangeType;
  risk: RiskAssessment | null;
  escalationLevel: number;
  costApprovedAt: number | null;
  scheduled: { start: number; end: number } | null;
  conflictOverride: ChangeSnapshot['conflictOverride'];
  implementationStartedAt: number | null;
  implementedAt: number | null;
  outcome: ChangeSnapshot['outcome'];
  backout: ChangeSnapshot['backout'];
  reviewDueAt: number | null;
  review: ChangeSnapshot['review'];
  closedAt: number | null;
  closeReason: string | null;
}

export function changeProgress(type: ChangeType): ChangeProgress {
  const none = { costApprovedAt: null, scheduled: null, conflictOverride: null, implementationStartedAt: null, implementedAt: null, outcome: null, backout: null };
  return { type, risk: null, escalationLevel: 0, reviewDueAt: null, review: null, closedAt: null, closeReason: null, ...none };
}

export function changeSnapshot(state: ChangeState, p: ChangeProgress, approval: ApprovalStages): ChangeSnapshot {
  return {
    state,
    approvalDueAt: isoOrNull(approval.dueAt),
    escalationLevel: p.escalationLevel,
    costApprovedAt: isoOrNull(p.costApprovedAt),
    scheduledStart: isoOrNull(p.scheduled?.start ?? null),
    scheduledEnd: isoOrNull(p.scheduled?.end ?? null),
    conflictOverride: p.conflictOverride,
    implementationStartedAt: isoOrNull(p.implementationStartedAt),
    implementedAt: isoOrNull(p.implementedAt),
    outcome: p.outcome,
    backout: p.backout,
    reviewDueAt: isoOrNull(p.reviewDueAt),
    review: p.review,
    closedAt: isoOrNull(p.closedAt),
    closeReason: p.closeReason,
  };
}

export function changeStatus(state: ChangeState, p: ChangeProgress, approval: ApprovalStages): ChangeStatus {
  const snapshot = changeSnapshot(state, p, approval);
  return {
    state,
    type: p.type,
    riskScore: p.risk?.score ?? null,
    riskLevel: p.risk?.level ?? null,
    stage: approval.status(),
    stages: approval.plan?.stages.length ?? 0,
    escalationLevel: p.escalationLevel,
    approvalDueAt: snapshot.approvalDueAt,
    costApprovedAt: snapshot.costApprovedAt,
    scheduledStart: snapshot.scheduledStart,
    scheduledEnd: snapshot.scheduledEnd,
    conflicts: p.conflictOverride?.conflicts ?? [],
    reviewDueAt: snapshot.reviewDueAt,
    outcome: p.outcome,
    closeReason: p.closeReason,
  };
}

/** What is due next: the stage's decision, the review, or the scheduled start. */
export function changeDueAt(state: ChangeState, p: ChangeProgress, approval: ApprovalStages): number | null {
  if (state === 'approval') return approval.dueAt;
  if (state === 'review') return p.reviewDueAt;
  return state === 'scheduled' ? (p.scheduled?.start ?? null) : null;
}
