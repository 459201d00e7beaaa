import type { Priority } from './priority';

// The problem record's lifecycle (ISO/IEC 20000-1 clause 8.6.3): investigated to a root cause, published as a
// known error with its workaround, fixed through a change, and closed once the fix has proved effective.

export const PROBLEM_STATES = ['new', 'investigating', 'known_error', 'fix_pending', 'resolved', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];
/** Problems still being worked: an owner leaving them hands work over. */
export const OPEN_PROBLEM_STATES: readonly ProblemState[] = ['new', 'investigating', 'known_error', 'fix_pending'];

export type ProblemCommand = 'investigate' | 'publishKnownError' | 'linkFix' | 'linkIncidents' | 'close';

const ALLOWED_FROM: Record<ProblemCommand, readonly ProblemState[]> = {
  investigate: ['new'],
  // A known error can be corrected (its article gets a new version) until the fix is under way.
  publishKnownError: ['new', 'investigating', 'known_error'],
  linkFix: ['known_error'],
  linkIncidents: ['new', 'investigating', 'known_error', 'fix_pending', 'resolved'],
  close: ['new', 'investigating', 'known_error', 'fix_pending', 'resolved'],
};

/** Why `command` is not allowed in `state`, or null when it is. */
export function illegalProblemTransition(command: ProblemCommand, state: ProblemState): string | null {
  if (ALLOWED_FROM[command].includes(state)) return null;
  return `${command} is not allowed while the problem is ${state} (allowed from: ${ALLOWED_FROM[command].join(', ')})`;
}

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
