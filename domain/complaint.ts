// Service complaints (ISO/IEC 20000-1 clause 8.3.2): recorded, handled to a formal close, and taken up the
// management line when they are not handled within the target.
import { deadlineTimers, type DeadlineTimer } from './deadlines';
import type { TransitionTable } from './transitions';

export const COMPLAINT_SEVERITIES = ['standard', 'serious'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];
export const COMPLAINT_STATES = ['received', 'investigating', 'closed'] as const;
export type ComplaintState = (typeof COMPLAINT_STATES)[number];
export const COMPLAINT_OUTCOMES = ['upheld', 'partially_upheld', 'not_upheld'] as const;
export type ComplaintOutcome = (typeof COMPLAINT_OUTCOMES)[number];
export type ComplaintCommand = 'assign' | 'close' | 'escalate';

/** Everything the workflow needs, fixed when the complaint is logged (the policy's times included). */
export interface ComplaintOpened {
  complaintId: string;
  number: number;
  subject: string;
  description: string;
  severity: ComplaintSeverity;
  complainantId: string;
  serviceId: string | null;
  incidentId: string | null;
  handlerId: string | null;
  loggedById: string;
  openedAt: string;
  dueAt: string;
  remindBeforeSeconds: number[];
  escalateAfterSeconds: number;
}

export function complaintWorkflowId(complaintId: string): string {
  return `complaint-${complaintId}`;
}

export function complaintReference(number: number): string {
  return `CMP-${String(number).padStart(6, '0')}`;
}

export const COMPLAINT_TRANSITIONS: TransitionTable<ComplaintState, ComplaintCommand> = {
  noun: 'complaint',
  states: COMPLAINT_STATES,
  initial: 'received',
  final: ['closed'],
  rules: {
    // Reassigning a complaint under investigation hands it to another handler.
    assign: { from: ['received', 'investigating'], to: ['investigating'], by: 'person' },
    close: { from: ['received', 'investigating'], to: ['closed'], by: 'person' },
    // Escalations and reminders leave the state as it is; they are listed so the table covers the timers too.
    escalate: { from: ['received', 'investigating'], to: [], by: 'timer' },
  },
};

/**
 * Reminders to the handler before the target, the first escalation (to the managers) at it, and the second
 * (to the administrators, the higher management) `escalateAfterSeconds` later.
 */
export function complaintTimers(opened: Pick<ComplaintOpened, 'dueAt' | 'remindBeforeSeconds' | 'escalateAfterSeconds'>): DeadlineTimer[] {
  const due = Date.parse(opened.dueAt);
  return [...deadlineTimers(due, opened.remindBeforeSeconds), { key: 'escalation:2', kind: 'escalation', at: due + opened.escalateAfterSeconds * 1000 }];
}

export const escalationLevelOf = (timer: DeadlineTimer) => (timer.key === 'escalation:2' ? 2 : 1);

/** Received, closed and escalated: how complaints are counted in reports and audit evidence. */
export function complaintFigures(complaints: { state: string; escalationLevel: number }[]) {
  return { received: complaints.length, closed: complaints.filter((c) => c.state === 'closed').length, escalated: complaints.filter((c) => c.escalationLevel > 0).length };
}

export interface ComplaintPolicySnapshot {
  targetSeconds: number;
  remindBeforeSeconds: number[];
  escalateAfterSeconds: number;
}

/**
 * Used until a manager sets a policy. Wall-clock time, not business hours: a complaint is about time the
 * customer waits, evenings included.
 */
export const DEFAULT_COMPLAINT_POLICIES: Record<ComplaintSeverity, ComplaintPolicySnapshot> = {
  standard: { targetSeconds: 5 * 86_400, remindBeforeSeconds: [86_400], escalateAfterSeconds: 2 * 86_400 },
  serious: { targetSeconds: 2 * 86_400, remindBeforeSeconds: [12 * 3_600], escalateAfterSeconds: 86_400 },
};
