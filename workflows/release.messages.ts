import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReleaseState } from '../domain/release';

export interface Actor {
  actorId: string;
}

export interface ReleaseStatus {
  state: ReleaseState;
  /** Per environment, as the release sees it: pending, deploying, awaiting_confirmation, verifying, deployed, rolled_back. */
  environments: Record<string, string>;
  authorisedById: string | null;
  abortRequested: boolean;
  failureReason: string | null;
}

export interface ConfirmInput extends Actor {
  environment: string;
}
export interface AbortInput extends Actor {
  reason: string;
}
export interface EnvironmentProgress {
  environment: string;
  phase: 'deploying' | 'awaiting_confirmation' | 'confirmation-overdue' | 'verifying' | 'deployed';
}

export const releaseStatusQuery = defineQuery<ReleaseStatus>('releaseStatus');
export const startReleaseUpdate = defineUpdate<ReleaseStatus, [Actor]>('startRelease');
export const authoriseReleaseUpdate = defineUpdate<ReleaseStatus, [Actor]>('authoriseRelease');
export const confirmReleaseUpdate = defineUpdate<ReleaseStatus, [ConfirmInput]>('confirmRelease');
export const abortReleaseUpdate = defineUpdate<ReleaseStatus, [AbortInput]>('abortRelease');
/** From an environment's child workflow to its release. */
export const environmentProgressSignal = defineSignal<[EnvironmentProgress]>('environmentProgress');
/** From the release to the environment waiting for its smoke test. */
export const smokeTestConfirmedSignal = defineSignal<[Actor]>('smokeTestConfirmed');
