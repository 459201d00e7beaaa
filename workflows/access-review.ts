import { proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AccessReviewActivities, AccessReviewMailKind } from '../activities/access-review';
import { ACCESS_REVIEW_TRANSITIONS, DEFAULT_ACCESS_REVIEW, type AccessDecision, type AccessReviewOpened, type AccessReviewSettings } from '../domain/access-review';
import { deadlineTimers } from '../domain/deadlines';
import { accessReviewDetails } from '../domain/governance-metadata';
import { mailLabel } from '../domain/workflow-metadata';
import { accessReviewStatusQuery, decideEntitlementUpdate, type AccessReviewStatus } from './access-review.messages';
import { governanceDuty } from './governance-duty';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';

const { openAccessReview, recordAccessDecision, recordAccessReview, sendAccessReviewMail } = proxyActivities<AccessReviewActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

export interface AccessReviewInput extends AccessReviewSettings {
  ciId: string;
  system: string;
}

/**
 * One system's yearly access recertification: its owner (the managers when it has none) confirms or revokes
 * each entitlement by the deadline, is reminded before it, and the managers are told when it passes. Every
 * revoke opens a revocation request, whose task the group that granted the access carries out.
 */
export async function accessReview(input: AccessReviewInput): Promise<AccessReviewStatus> {
  const reviewSeconds = input.reviewSeconds ?? DEFAULT_ACCESS_REVIEW.reviewSeconds;
  const remindBeforeSeconds = input.remindBeforeSeconds ?? DEFAULT_ACCESS_REVIEW.remindBeforeSeconds;
  let opened: AccessReviewOpened | null = null;
  const decisions: AccessReviewStatus['decisions'] = [];
  const undecided = () => (opened?.entitlements ?? []).filter((e) => !decisions.some((d) => d.entitlementId === e.id)).map((e) => e.id);
  const review = governanceDuty(ACCESS_REVIEW_TRANSITIONS, {
    searchAttributes: true,
    details: (duty) => accessReviewDetails({ system: input.system, state: duty.state, decided: decisions.length, total: opened?.entitlements.length ?? 0 }, duty.deadline()),
  });
  const status = (): AccessReviewStatus => ({ reviewId: opened?.reviewId ?? null, state: review.state, dueAt: review.dueAt, escalated: review.escalated, decisions: [...decisions], undecided: undecided() });
  const owner = () => (opened?.ownerId ? 'owner' : 'managers');
  const mail = (kind: AccessReviewMailKind, to: ('owner' | 'managers')[]) =>
    review.send(kind, (key) => sendAccessReviewMail.executeWithOptions({ summary: mailLabel(kind, to.join(', ')) }, [{ key, reviewId: opened!.reviewId, kind, to }]));

  review.query(accessReviewStatusQuery, status);
  review.update(
    decideEntitlementUpdate,
    'decide',
    async ({ actorId, entitlementId, decision }) => {
      const revocationRequestId = decision === 'revoke' ? uuid4() : null;
      decisions.push({ entitlementId, decision, revocationRequestId });
      review.transition('decide', undecided().length === 0 ? 'done' : 'due');
      const at = new Date(Date.now()).toISOString();
      await review.write(() =>
        recordAccessDecision.executeWithOptions({ summary: `record: ${decision} → ${revocationRequestId ? 'revocation request' : 'kept'}` }, [
          { reviewId: opened!.reviewId, entitlementId, decision, actorId, at, revocationRequestId, state: review.state, taskQueue: workflowInfo().taskQueue },
        ]),
      );
      return status();
    },
    ({ actorId, entitlementId, isManager }: { actorId: string; entitlementId: string; decision: AccessDecision; isManager: boolean }) => {
      if (!opened?.entitlements.some((e) => e.id === entitlementId)) review.refuse(ILLEGAL_TRANSITION, 'decide', `entitlement ${entitlementId} is not under this review`);
      if (decisions.some((d) => d.entitlementId === entitlementId)) review.refuse(ILLEGAL_TRANSITION, 'decide', `entitlement ${entitlementId} is already decided; each is decided once`);
      if (actorId !== opened!.ownerId && !isManager) review.refuse(NOT_ALLOWED, 'decide', `only the owner of ${input.system} or a manager recertifies its access`);
    },
  );

  opened = await openAccessReview.executeWithOptions({ summary: 'record: access review opened' }, [{ workflowId: workflowInfo().workflowId, ciId: input.ciId, at: new Date(Date.now()).toISOString(), reviewSeconds }]);
  review.open(opened.dueAt);
  await review.followUp({
    timers: () => deadlineTimers(Date.parse(opened!.dueAt), remindBeforeSeconds.filter((s) => s < reviewSeconds)),
    request: () => mail('access-review-due', [owner()]),
    remind: () => mail('access-review-reminder', [owner()]),
    // The owner hears it too: the decision is still theirs to make.
    escalate: () => mail('access-review-overdue', opened!.ownerId ? ['managers', 'owner'] : ['managers']),
    recordEscalation: () => recordAccessReview.executeWithOptions({ summary: 'record: access review escalated' }, [{ reviewId: opened!.reviewId, escalated: true }]),
  });
  return status();
}
