import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SupplierActivities } from '../activities/supplier-review';
import type { ActionOffer } from '../domain/action-links';
import { isoOrNull } from '../domain/instants';
import { assessmentTimers, SUPPLIER_REVIEW_TRANSITIONS, type ReviewOutcome } from '../domain/supplier';
import { governanceDuty } from './governance-duty';
import { NOT_ALLOWED } from './refusals';
import { assessSupplierUpdate, supplierReviewStatusQuery, type SupplierReviewInput, type SupplierReviewStatus } from './supplier-review.messages';

const { openSupplierReview, gatherSupplierPerformance, recordSupplierReview, sendSupplierNotification } = proxyActivities<SupplierActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The contract owner can assess straight from the request and the reminders. */
const ASSESS: ActionOffer = { step: 'supplier-review.assess' };

/**
 * One review of one supplier contract (ISO/IEC 20000-1 clause 8.2.5), yearly from its Schedule or on a
 * significant change: the performance is gathered from the records, the contract owner assesses it by a
 * deadline (reminders before, an escalation to the managers at it), and the outcome and actions are kept.
 */
export async function supplierReview(input: SupplierReviewInput): Promise<SupplierReviewStatus> {
  const review = governanceDuty(SUPPLIER_REVIEW_TRANSITIONS, { searchAttributes: true });
  let reviewId: string | null = null;
  let ownerId = '';
  let outcome: ReviewOutcome | null = null;
  const status = (): SupplierReviewStatus => ({ reviewId, state: review.state, dueAt: review.dueAt, escalated: review.escalated, outcome });
  const notify = (kind: string, toUserIds: string[] | 'managers', offer?: ActionOffer) =>
    review.send(kind, (key) => sendSupplierNotification({ key, reviewId: reviewId!, kind, toUserIds, detail: review.dueAt!, offer }));

  review.query(supplierReviewStatusQuery, status);
  review.update(
    assessSupplierUpdate,
    'assess',
    async ({ actorId, outcome: decided, actions, notes }) => {
      review.transition('assess');
      outcome = decided;
      await review.write(() => recordSupplierReview({ reviewId: reviewId!, patch: { state: review.state, outcome: decided, actions, notes, assessorId: actorId, decidedAt: isoOrNull(Date.now())! } }));
      return status();
    },
    ({ actorId, mayAssess }) => {
      if (!mayAssess && actorId !== ownerId) review.refuse(NOT_ALLOWED, 'assess', 'only the contract owner or a manager assesses a supplier review');
    },
  );

  const opened = await openSupplierReview({ workflowId: workflowInfo().workflowId, contractId: input.contractId, reason: input.reason, at: isoOrNull(Date.now())! });
  reviewId = opened.reviewId;
  ownerId = opened.ownerId;
  const performance = await gatherSupplierPerformance({ reviewId: opened.reviewId });
  const { dueAt, timers } = assessmentTimers(Date.now(), opened.assessmentSeconds, opened.remindBeforeSeconds);
  review.open(isoOrNull(dueAt)!);
  await review.write(() => recordSupplierReview({ reviewId: opened.reviewId, patch: { state: review.state, dueAt: review.dueAt, performance } }));

  await review.followUp({
    timers: () => timers,
    request: () => notify('supplier-review-request', [ownerId], ASSESS),
    remind: () => notify('supplier-review-reminder', [ownerId], ASSESS),
    escalate: () => notify('supplier-review-escalation', 'managers'),
    recordEscalation: () => recordSupplierReview({ reviewId: opened.reviewId, patch: { escalated: true } }),
  });
  return status();
}
