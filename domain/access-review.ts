// Yearly recertification of access (ISO/IEC 20000-1 clause 8.7.3, information security; the company rule that
// access follows role): each system's owner confirms or revokes every entitlement on it by a deadline; a revoke
// becomes a fulfilment task, and the managers hear when the owner does not decide in time.
import type { DutyCommand } from './governance-duty';
import type { TransitionTable } from './transitions';

export const ACCESS_REVIEW_STATES = ['opening', 'due', 'done'] as const;
export type AccessReviewState = (typeof ACCESS_REVIEW_STATES)[number];
export type AccessReviewCommand = 'decide' | DutyCommand;
export const ACCESS_DECISIONS = ['confirm', 'revoke'] as const;
export type AccessDecision = (typeof ACCESS_DECISIONS)[number];

export const ACCESS_REVIEW_TRANSITIONS: TransitionTable<AccessReviewState, AccessReviewCommand> = {
  noun: 'access review',
  states: ACCESS_REVIEW_STATES,
  initial: 'opening',
  final: ['done'],
  rules: {
    open: { from: ['opening'], to: ['due'], by: 'process' },
    // One decision per entitlement; the last one completes the review.
    decide: { from: ['due'], to: ['done'], stays: true, by: 'person' },
    escalate: { from: ['due'], to: [], by: 'timer' },
  },
};

export interface AccessReviewSettings {
  reviewSeconds?: number;
  remindBeforeSeconds?: number[];
}

/** Four weeks to decide, reminded a week before: the defaults of the yearly Schedule. */
export const DEFAULT_ACCESS_REVIEW = { reviewSeconds: 28 * 86_400, remindBeforeSeconds: [7 * 86_400] };

export interface ReviewedEntitlement {
  id: string;
  userId: string;
  userName: string;
  role: string;
}

export interface AccessReviewOpened {
  reviewId: string;
  system: string;
  /** The system's owner; null: the managers decide. */
  ownerId: string | null;
  dueAt: string;
  entitlements: ReviewedEntitlement[];
}

export const accessReviewWorkflowId = (ciId: string, year: number) => `access-review-${ciId}-${year}`;
