import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OpenedSupplierReview, SupplierActivities } from '../activities/supplier-review';
import type { ActionOffer } from '../domain/action-links';
import { mailLabel } from '../domain/workflow-metadata';
import { isoOrNull } from '../domain/instants';
import { assessmentTimers, SUPPLIER_REVIEW_TRANSITIONS, type ReviewOutcome } from '../domain/supplier';
import { supplierReviewDetails } from '../domain/supplier-metadata';
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
  // The contract's names and the review's API address, once the record is open (reviews opened before had none).
  let shown: Pick<OpenedSupplierReview, 'contract' | 'apiUrl'> = {};
  let outcome: ReviewOutcome | null = null;
  const review = governanceDuty(SUPPLIER_REVIEW_TRANSITIONS, {
    searchAttributes: true,
    details: (duty) =>
      supplierReviewDetails({ state: duty.state, reason: input.reason, contract: shown.contract ?? { reference: input.contractId }, outcome, apiUrl: shown.apiUrl ?? null }, duty.deadline()),
  });
  let reviewId: string | null = null;
  let ownerId = '';
  const status = (): SupplierReviewStatus => ({ reviewId, state: review.state, dueAt: review.dueAt, escalated: review.escalated, outcome });
  const notify = (kind: string, toUserIds: string[] | 'managers', offer?: ActionOffer) =>
    review.send(kind, (key) =>
      sendSupplierNotification.executeWithOptions({ summary: mailLabel(kind, toUserIds === 'managers' ? toUserIds : 'contract owner') }, [{ key, reviewId: reviewId!, kind, toUserIds, detail: review.dueAt!, offer }]),
    );

  review.query(supplierReviewStatusQuery, status);
  review.update(
    assessSupplierUpdate,
    'assess',
    async ({ actorId, outcome: decided, actions, notes }) => {
      review.transition('assess');
      outcome = decided;
      await review.write(() =>
        recordSupplierReview.executeWithOptions({ summary: `record: assessed, ${decided}` }, [{ reviewId: reviewId!, patch: { state: review.state, outcome: decided, actions, notes, assessorId: actorId, decidedAt: isoOrNull(Date.now())! } }]),
      );
      return status();
    },
    ({ actorId, mayAssess }) => {
      if (!mayAssess && actorId !== ownerId) review.refuse(NOT_ALLOWED, 'assess', 'only the contract owner or a manager assesses a supplier review');
    },
  );

  const opened = await openSupplierReview.executeWithOptions({ summary: 'record: supplier review opened' }, [{ workflowId: workflowInfo().workflowId, contractId: input.contractId, reason: input.reason, at: isoOrNull(Date.now())! }]);
  shown = opened;
  reviewId = opened.reviewId;
  ownerId = opened.ownerId;
  const performance = await gatherSupplierPerformance.executeWithOptions({ summary: 'records: supplier performance of the period' }, [{ reviewId: opened.reviewId }]);
  const { dueAt, timers } = assessmentTimers(Date.now(), opened.assessmentSeconds, opened.remindBeforeSeconds);
  review.open(isoOrNull(dueAt)!);
  await review.write(() => recordSupplierReview.executeWithOptions({ summary: 'record: awaiting assessment' }, [{ reviewId: opened.reviewId, patch: { state: review.state, dueAt: review.dueAt, performance } }]));

  await review.followUp({
    timers: () => timers,
    request: () => notify('supplier-review-request', [ownerId], ASSESS),
    remind: () => notify('supplier-review-reminder', [ownerId], ASSESS),
    escalate: () => notify('supplier-review-escalation', 'managers'),
    recordEscalation: () => recordSupplierReview.executeWithOptions({ summary: 'record: supplier review escalated' }, [{ reviewId: opened.reviewId, patch: { escalated: true } }]),
  });
  return status();
}
