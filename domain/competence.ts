// Yearly competence reviews (ISO/IEC 20000-1 clause 7.2): a manager reviews each person's skills, training and
// certifications by a deadline.
import { deadlineTimers, type DeadlineTimer } from './deadlines';
import { dutyTransitions } from './governance-duty';

export const COMPETENCE_REVIEW_STATES = ['opening', 'due', 'done'] as const;
export type CompetenceReviewState = (typeof COMPETENCE_REVIEW_STATES)[number];

export const COMPETENCE_REVIEW_TRANSITIONS = dutyTransitions({ noun: 'competence review', states: COMPETENCE_REVIEW_STATES, due: 'due', complete: 'complete', done: ['done'] });

/** Reminders before the deadline (none set before the review even opened) and the escalation at it. */
export function competenceReviewTimers(dueAt: string, reviewSeconds: number, remindBeforeSeconds: number[]): DeadlineTimer[] {
  return deadlineTimers(Date.parse(dueAt), remindBeforeSeconds.filter((s) => s < reviewSeconds));
}
