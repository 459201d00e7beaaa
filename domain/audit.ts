// The yearly internal audit (ISO/IEC 20000-1 clauses 9.2 and 9.3): opened with its evidence, run by an auditor
// independent of the audited services, and closed when a manager signs off the management review.
import { deadlineTimers, type DeadlineTimer } from './deadlines';
import type { TransitionTable } from './transitions';

export const AUDIT_STATES = ['opening', 'awaiting_auditor', 'fieldwork', 'management_review', 'closed'] as const;
export type AuditState = (typeof AUDIT_STATES)[number];
export type AuditCommand = 'open' | 'assignAuditor' | 'recordFinding' | 'finishFieldwork' | 'signOffAudit' | 'remind' | 'escalate';

export const AUDIT_TRANSITIONS: TransitionTable<AuditState, AuditCommand> = {
  noun: 'audit',
  states: AUDIT_STATES,
  initial: 'opening',
  final: ['closed'],
  rules: {
    open: { from: ['opening'], to: ['awaiting_auditor'], by: 'process' },
    // Taken once the auditor's independence is checked against the records (an auditor involved in the audited
    // services is refused and the audit keeps waiting).
    assignAuditor: { from: ['awaiting_auditor'], to: ['fieldwork'], by: 'person' },
    recordFinding: { from: ['fieldwork'], to: [], by: 'person' },
    finishFieldwork: { from: ['fieldwork'], to: ['management_review'], by: 'person' },
    signOffAudit: { from: ['management_review'], to: ['closed'], by: 'person' },
    remind: { from: ['management_review'], to: [], by: 'timer' },
    escalate: { from: ['management_review'], to: [], by: 'timer' },
  },
};

/** How long the management review may take after the fieldwork, and the reminders before its deadline. */
export interface AuditReviewPolicy {
  reviewSeconds: number;
  remindBeforeSeconds: number[];
}

export const DEFAULT_AUDIT_REVIEW: AuditReviewPolicy = { reviewSeconds: 14 * 86_400, remindBeforeSeconds: [3 * 86_400] };

/** Reminders to the managers before the review's deadline and one escalation at it; nothing before the review starts. */
export function auditReviewTimers(reviewDueAt: string | null, policy: AuditReviewPolicy): DeadlineTimer[] {
  if (!reviewDueAt) return [];
  return deadlineTimers(
    Date.parse(reviewDueAt),
    policy.remindBeforeSeconds.filter((seconds) => seconds < policy.reviewSeconds),
    'review:',
  );
}
