import { deadlineTimers, type DeadlineTimer } from './deadlines';
import { dutyTransitions } from './governance-duty';

// Supplier reviews (ISO/IEC 20000-1 clause 8.2.5): the supplier's performance against the contract's
// underpinning targets, assessed by the contract owner by a deadline.

export const REVIEW_OUTCOMES = ['continue', 'renegotiate', 'terminate'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const SUPPLIER_REVIEW_STATES = ['gathering', 'awaiting-assessment', 'assessed'] as const;
export type SupplierReviewState = (typeof SUPPLIER_REVIEW_STATES)[number];

/** The performance is gathered from the records before the contract owner is asked to assess it. */
export const SUPPLIER_REVIEW_TRANSITIONS = dutyTransitions({ noun: 'supplier review', states: SUPPLIER_REVIEW_STATES, due: 'awaiting-assessment', complete: 'assess', done: ['assessed'] });

export const TARGET_METRICS = ['response-sla', 'resolution-sla'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

export interface UnderpinningTarget {
  metric: TargetMetric;
  /** Fraction of incidents that must meet it, e.g. 0.95. */
  target: number;
}

export interface IncidentFacts {
  responseBreached: boolean;
  resolutionBreached: boolean;
}

export interface TargetResult extends UnderpinningTarget {
  achieved: number | null;
  met: boolean | null;
  breaches: number;
}

/** Each target against the incidents of the period; with no incidents a target is neither met nor missed. */
export function targetResults(targets: UnderpinningTarget[], incidents: IncidentFacts[]): TargetResult[] {
  return targets.map((target) => {
    const breaches = incidents.filter((i) => (target.metric === 'response-sla' ? i.responseBreached : i.resolutionBreached)).length;
    if (incidents.length === 0) return { ...target, achieved: null, met: null, breaches };
    const achieved = Math.round(((incidents.length - breaches) / incidents.length) * 10_000) / 10_000;
    return { ...target, achieved, met: achieved >= target.target, breaches };
  });
}

/** Reminders before the assessment deadline, and the escalation when it passes. */
export function assessmentTimers(openedAt: number, assessmentSeconds: number, remindBeforeSeconds: number[]): { dueAt: number; timers: DeadlineTimer[] } {
  const dueAt = openedAt + assessmentSeconds * 1000;
  return { dueAt, timers: deadlineTimers(dueAt, remindBeforeSeconds.filter((s) => s < assessmentSeconds)) };
}
