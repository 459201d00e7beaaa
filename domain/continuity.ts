// Service continuity tests (ISO/IEC 20000-1 clause 8.7.2): each plan is tested yearly by its owner, and a
// failed test becomes a corrective action (clause 10.1).
import { dutyTransitions } from './governance-duty';

export const CONTINUITY_TEST_STATES = ['opening', 'due', 'passed', 'failed'] as const;
export type ContinuityTestState = (typeof CONTINUITY_TEST_STATES)[number];
export type ContinuityTestOutcome = Extract<ContinuityTestState, 'passed' | 'failed'>;

export const CONTINUITY_TEST_TRANSITIONS = dutyTransitions({ noun: 'continuity test', states: CONTINUITY_TEST_STATES, due: 'due', complete: 'recordOutcome', done: ['passed', 'failed'] });

/** Corrective actions from a failed continuity test are due in 30 days, with a reminder a week before. */
const ACTION_DUE_MS = 30 * 86_400_000;
const ACTION_REMIND_BEFORE_SECONDS = [7 * 86_400];

/** The corrective action a failed test of `title` raises for the plan's owner. */
export function continuityCorrectiveAction(title: string, ownerId: string, failedAt: number) {
  return { title: `Continuity test failed: ${title}`, ownerId, dueAt: new Date(failedAt + ACTION_DUE_MS).toISOString(), remindBeforeSeconds: ACTION_REMIND_BEFORE_SECONDS };
}
