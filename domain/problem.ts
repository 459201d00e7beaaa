import type { Priority } from './priority';
import type { TransitionTable } from './transitions';

// The problem record's lifecycle (ISO/IEC 20000-1 clause 8.6.3): investigated to a root cause, published as a
// known error with its workaround, fixed through a change, and closed once the fix has proved effective.

export const PROBLEM_STATES = ['new', 'investigating', 'known_error', 'fix_pending', 'resolved', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];
/** Problems still being worked: an owner leaving them hands work over. */
export const OPEN_PROBLEM_STATES: readonly ProblemState[] = ['new', 'investigating', 'known_error', 'fix_pending'];

export type ProblemCommand =
  | 'investigate'
  | 'publishKnownError'
  | 'linkFix'
  | 'linkIncidents'
  | 'close'
  | 'remindRca'
  | 'escalateRca'
  | 'resolve'
  | 'fixFailed'
  | 'recur'
  | 'closeEffective';

export const PROBLEM_TRANSITIONS: TransitionTable<ProblemState, ProblemCommand> = {
  noun: 'problem',
  states: PROBLEM_STATES,
  initial: 'new',
  final: ['closed'],
  rules: {
    investigate: { from: ['new'], to: ['investigating'], by: 'person' },
    // A known error can be corrected (its article gets a new version) until the fix is under way.
    publishKnownError: { from: ['new', 'investigating', 'known_error'], to: ['known_error'], by: 'person' },
    linkFix: { from: ['known_error'], to: ['fix_pending'], by: 'person' },
    linkIncidents: { from: ['new', 'investigating', 'known_error', 'fix_pending', 'resolved'], to: [], by: 'person' },
    close: { from: ['new', 'investigating', 'known_error', 'fix_pending', 'resolved'], to: ['closed'], by: 'person' },
    // The root-cause deadline's reminders and escalation run until a known error is published.
    remindRca: { from: ['new', 'investigating'], to: [], by: 'timer' },
    escalateRca: { from: ['new', 'investigating'], to: [], by: 'timer' },
    // The fix's change ended: closed successfully, the fix is on trial; anything else, the known error stays open.
    resolve: { from: ['fix_pending'], to: ['resolved'], by: 'process' },
    fixFailed: { from: ['fix_pending'], to: ['known_error'], by: 'process' },
    // An incident linked while the fix is on trial: it did not hold, the cause is looked for again.
    recur: { from: ['resolved'], to: ['investigating'], by: 'process' },
    closeEffective: { from: ['resolved'], to: ['closed'], by: 'timer' },
  },
};

export interface ProblemOpened {
  problemId: string;
  number: number;
  title: string;
  description: string;
  priority: Priority;
  source: 'trend' | 'manual';
  trendKey: string | null;
  serviceId: string | null;
  ciId: string | null;
  category: string | null;
  ownerId: string | null;
  incidentIds: string[];
  openedAt: string;
}

export interface ProblemPolicySnapshot {
  rcaSeconds: number;
  remindBeforeSeconds: number[];
  escalateAfterSeconds: number;
  coordinatorId: string | null;
  effectivenessSeconds: number;
}

export function problemWorkflowId(problemId: string): string {
  return `problem-${problemId}`;
}

export function problemReference(number: number): string {
  return `PRB-${String(number).padStart(6, '0')}`;
}

export type ProblemTimerKind = 'rca-reminder' | 'rca-escalation';

export interface ProblemTimer {
  key: string;
  kind: ProblemTimerKind;
  at: number;
}

/**
 * The root-cause deadline counts from the problem's opening (wall-clock time: problems are worked on for days,
 * not inside a service's hours), with reminders before it and one escalation after it.
 */
export function rcaTimers(policy: ProblemPolicySnapshot, openedAt: number): { deadline: number; timers: ProblemTimer[] } {
  const deadline = openedAt + policy.rcaSeconds * 1000;
  const timers: ProblemTimer[] = [...new Set(policy.remindBeforeSeconds)]
    .filter((seconds) => seconds > 0 && seconds < policy.rcaSeconds)
    .sort((a, b) => b - a)
    .map((seconds) => ({ key: `rca:reminder:${seconds}`, kind: 'rca-reminder' as const, at: deadline - seconds * 1000 }));
  timers.push({ key: 'rca:escalation', kind: 'rca-escalation', at: deadline + policy.escalateAfterSeconds * 1000 });
  return { deadline, timers };
}

/** How a linked change's end moves its problem: a successful close resolves it, anything else leaves the known error open. */
export function fixOutcome(changeState: string, outcome: string | null): 'resolved' | 'fix-failed' | null {
  if (changeState === 'closed') return outcome === 'failed' ? 'fix-failed' : 'resolved';
  if (['rejected', 'cancelled', 'failed'].includes(changeState)) return 'fix-failed';
  return null;
}

export const TREND_DIMENSIONS = ['ci', 'service', 'category'] as const;
export type TrendDimension = (typeof TREND_DIMENSIONS)[number];

export function trendKey(dimension: TrendDimension, key: string): string {
  return `${dimension}:${key}`;
}
