import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AccessDecision, AccessReviewState } from '../domain/access-review';

export interface AccessReviewStatus {
  reviewId: string | null;
  state: AccessReviewState;
  dueAt: string | null;
  escalated: boolean;
  decisions: { entitlementId: string; decision: AccessDecision; revocationRequestId: string | null }[];
  undecided: string[];
}

export interface DecideEntitlementInput {
  actorId: string;
  entitlementId: string;
  decision: AccessDecision;
  /** Managers decide for a system without an owner, or for an owner who has not; the API says whether the actor is one. */
  isManager: boolean;
}

export const accessReviewStatusQuery = defineQuery<AccessReviewStatus>('accessReviewStatus');
export const decideEntitlementUpdate = defineUpdate<AccessReviewStatus, [DecideEntitlementInput]>('decideEntitlement');
