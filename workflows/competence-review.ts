import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { sendGovernanceMail } from './governance-mail';
import type { CompetenceActivities } from '../activities/competence';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { untilDone } from './deadline-loop';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { serialQueue } from './serial-queue';
import { type CompetenceReviewStatus, competenceReviewStatusQuery, completeCompetenceReviewUpdate } from './competence-review.messages';

const { openCompetenceReview, recordCompetenceReview } = proxyActivities<CompetenceActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

export interface CompetenceReviewInput {
  userId: string;
  reviewSeconds: number;
  remindBeforeSeconds: number[];
}
/**
 * One person's yearly competence review (ISO/IEC 20000-1 clause 7.2): a manager reviews their skills, training
 * and certifications by the deadline; the person is reminded before it and the managers are told when it passes.
 */
export async function competenceReview(input: CompetenceReviewInput): Promise<CompetenceReviewStatus> {
  const status: CompetenceReviewStatus = { reviewId: null, state: 'opening', dueAt: null, escalated: false };
  const queue = serialQueue();
  let seq = 0;
  const mail = (kind: string, to: string[] | 'managers', subject: string) => {
    const key = `${workflowInfo().workflowId}:${++seq}:${kind}`;
    void queue.run(() => sendGovernanceMail({ key, kind, toUserIds: to, subject, text: `${subject}. Due by ${status.dueAt}.`, headers: { 'X-Itsm-Competence-Review-Id': status.reviewId! } }));
  };

  setHandler(competenceReviewStatusQuery, () => ({ ...status }));
  setHandler(
    completeCompetenceReviewUpdate,
    async ({ actorId, summary }) => {
      status.state = 'done';
      await queue.run(() => recordCompetenceReview({ reviewId: status.reviewId!, patch: { state: 'done', reviewerId: actorId, summary, doneAt: new Date(Date.now()).toISOString() } }));
      return { ...status };
    },
    {
      validator: ({ actorId, isManager }) => {
        const refuse = (type: string, message: string) => {
          throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command: 'completeCompetenceReview' }], nonRetryable: true });
        };
        if (status.state !== 'due') refuse(ILLEGAL_TRANSITION, `the review is ${status.state}`);
        if (!isManager) refuse(NOT_ALLOWED, 'a manager completes a competence review');
        if (actorId === input.userId) refuse(NOT_ALLOWED, 'nobody reviews their own competence');
      },
    },
  );

  const opened = await openCompetenceReview({ workflowId: workflowInfo().workflowId, userId: input.userId, at: new Date(Date.now()).toISOString(), reviewSeconds: input.reviewSeconds });
  Object.assign(status, { reviewId: opened.reviewId, dueAt: opened.dueAt, state: 'due' });
  mail('competence-review-due', [input.userId], 'Your yearly competence review is due');
  await untilDone(
    () => status.state === 'done',
    () => deadlineTimers(Date.parse(opened.dueAt), input.remindBeforeSeconds.filter((s) => s < input.reviewSeconds)),
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') return mail('competence-review-reminder', [input.userId], 'Reminder: your yearly competence review');
      status.escalated = true;
      mail('competence-review-overdue', 'managers', 'ESCALATED: a yearly competence review is overdue');
      await queue.run(() => recordCompetenceReview({ reviewId: opened.reviewId, patch: { escalated: true } }));
    },
  );
  // An Update that ended the wait may still be finishing its work.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
