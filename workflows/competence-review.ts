import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CompetenceActivities } from '../activities/competence';
import type { ActionOffer } from '../domain/action-links';
import { COMPETENCE_REVIEW_TRANSITIONS, competenceReviewTimers } from '../domain/competence';
import { competenceReviewDetails } from '../domain/governance-metadata';
import { type CompetenceReviewStatus, competenceReviewStatusQuery, completeCompetenceReviewUpdate } from './competence-review.messages';
import { DUTY_SEARCH_ATTRIBUTES_PATCH, governanceDuty } from './governance-duty';
import { NOT_ALLOWED } from './refusals';

const { openCompetenceReview, recordCompetenceReview } = proxyActivities<CompetenceActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** Managers complete reviews; the one that tells them a review is overdue lets them do it from the mail. */
const COMPLETE: ActionOffer = { step: 'competence-review.complete' };

export interface CompetenceReviewInput {
  userId: string;
  /** The person's name and their competences in the API, for the Temporal UI (absent from runs before them). */
  name?: string;
  apiUrl?: string;
  reviewSeconds: number;
  remindBeforeSeconds: number[];
}
/**
 * One person's yearly competence review (ISO/IEC 20000-1 clause 7.2): a manager reviews their skills, training
 * and certifications by the deadline; the person is reminded before it and the managers are told when it passes.
 */
export async function competenceReview(input: CompetenceReviewInput): Promise<CompetenceReviewStatus> {
  const person = input.name ?? input.userId;
  const review = governanceDuty(COMPETENCE_REVIEW_TRANSITIONS, {
    searchAttributes: patched(DUTY_SEARCH_ATTRIBUTES_PATCH),
    details: (duty) => competenceReviewDetails({ person, state: duty.state, apiUrl: input.apiUrl }, duty.deadline()),
  });
  let reviewId: string | null = null;
  const status = (): CompetenceReviewStatus => ({ reviewId, state: review.state, dueAt: review.dueAt, escalated: review.escalated });
  const mail = review.governanceMail(() => ({ 'X-Itsm-Competence-Review-Id': reviewId! }), 'person reviewed');

  review.query(competenceReviewStatusQuery, status);
  review.update(
    completeCompetenceReviewUpdate,
    'complete',
    async ({ actorId, summary }) => {
      review.transition('complete');
      await review.write(() => recordCompetenceReview.executeWithOptions({ summary: 'record: competence review done' }, [{ reviewId: reviewId!, patch: { state: review.state, reviewerId: actorId, summary, doneAt: new Date(Date.now()).toISOString() } }]));
      return status();
    },
    ({ actorId, isManager }) => {
      if (!isManager) review.refuse(NOT_ALLOWED, 'complete', 'a manager completes a competence review');
      if (actorId === input.userId) review.refuse(NOT_ALLOWED, 'complete', 'nobody reviews their own competence');
    },
  );

  const opened = await openCompetenceReview.executeWithOptions({ summary: 'record: competence review opened' }, [{ workflowId: workflowInfo().workflowId, userId: input.userId, at: new Date(Date.now()).toISOString(), reviewSeconds: input.reviewSeconds }]);
  reviewId = opened.reviewId;
  review.open(opened.dueAt);
  await review.followUp({
    timers: () => competenceReviewTimers(opened.dueAt, input.reviewSeconds, input.remindBeforeSeconds),
    request: () => mail('competence-review-due', [input.userId], 'Your yearly competence review is due'),
    remind: () => mail('competence-review-reminder', [input.userId], 'Reminder: your yearly competence review'),
    escalate: () => mail('competence-review-overdue', 'managers', 'ESCALATED: a yearly competence review is overdue', COMPLETE),
    recordEscalation: () => recordCompetenceReview.executeWithOptions({ summary: 'record: competence review escalated' }, [{ reviewId: opened.reviewId, patch: { escalated: true } }]),
  });
  return status();
}
