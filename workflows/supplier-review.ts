import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SupplierActivities } from '../activities/supplier-review';
import type { DeadlineTimer } from '../domain/deadlines';
import { assessmentTimers } from '../domain/supplier';
import { isoOrNull } from '../domain/instants';
import { untilDone } from './deadline-loop';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../temporal-config/search-attributes';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';
import { assessSupplierUpdate, supplierReviewStatusQuery, type SupplierReviewInput, type SupplierReviewStatus } from './supplier-review.messages';

const { openSupplierReview, gatherSupplierPerformance, recordSupplierReview, sendSupplierNotification } = proxyActivities<SupplierActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});


/**
 * One review of one supplier contract (ISO/IEC 20000-1 clause 8.2.5), yearly from its Schedule or on a
 * significant change: the performance is gathered from the records, the contract owner assesses it by a
 * deadline (reminders before, an escalation to the managers at it), and the outcome and actions are kept.
 */
export async function supplierReview(input: SupplierReviewInput): Promise<SupplierReviewStatus> {
  const status: SupplierReviewStatus = { reviewId: null, state: 'gathering', dueAt: null, escalated: false, outcome: null };
  const queue = serialQueue();
  let seq = 0;
  let ownerId = '';
  let ready = false;
  const upsertChanged = searchAttributeSync();
  const sync = () => upsertChanged([[ItsmState, status.state], [ItsmEscalationLevel, status.escalated ? 1 : 0], [ItsmDueAt, status.dueAt ? new Date(status.dueAt) : null]]);
  const notify = (kind: string, toUserIds: string[] | 'managers', detail: string) => {
    const key = `${workflowInfo().workflowId}:${++seq}:${kind}`;
    void queue.run(() => sendSupplierNotification({ key, reviewId: status.reviewId!, kind, toUserIds, detail }));
  };

  setHandler(supplierReviewStatusQuery, () => ({ ...status }));
  setHandler(
    assessSupplierUpdate,
    async ({ actorId, outcome, actions, notes }) => {
      status.state = 'assessed';
      status.outcome = outcome;
      sync();
      await queue.run(() => recordSupplierReview({ reviewId: status.reviewId!, patch: { state: 'assessed', outcome, actions, notes, assessorId: actorId, decidedAt: isoOrNull(Date.now())! } }));
      return { ...status };
    },
    {
      validator: ({ actorId, mayAssess }) => {
        const refuse = (type: string, message: string) => {
          throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command: 'assess' }], nonRetryable: true });
        };
        if (!ready || status.state !== 'awaiting-assessment') refuse(ILLEGAL_TRANSITION, `assess is not allowed while the review is ${status.state}`);
        if (!mayAssess && actorId !== ownerId) refuse(NOT_ALLOWED, 'only the contract owner or a manager assesses a supplier review');
      },
    },
  );

  const opened = await openSupplierReview({ workflowId: workflowInfo().workflowId, contractId: input.contractId, reason: input.reason, at: isoOrNull(Date.now())! });
  status.reviewId = opened.reviewId;
  ownerId = opened.ownerId;
  const performance = await gatherSupplierPerformance({ reviewId: opened.reviewId });
  const { dueAt, timers } = assessmentTimers(Date.now(), opened.assessmentSeconds, opened.remindBeforeSeconds);
  status.state = 'awaiting-assessment';
  status.dueAt = isoOrNull(dueAt);
  sync();
  await queue.run(() => recordSupplierReview({ reviewId: opened.reviewId, patch: { state: status.state, dueAt: status.dueAt, performance } }));
  ready = true;
  notify('supplier-review-request', [ownerId], status.dueAt!);

  const fire = async (timer: DeadlineTimer) => {
    if (timer.kind === 'reminder') return notify('supplier-review-reminder', [ownerId], status.dueAt!);
    status.escalated = true;
    sync();
    notify('supplier-review-escalation', 'managers', status.dueAt!);
    await queue.run(() => recordSupplierReview({ reviewId: opened.reviewId, patch: { escalated: true } }));
  };
  await untilDone(() => status.state === 'assessed', () => timers, fire);
  // An Update that ended the wait may still be finishing its work.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
