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
  /** The production environment the current authorisation is for. */
  authorisedFor: string | null;
  /** The production environment that waits for an authorisation now or next; null once none does. */
  awaitingAuthorisationFor: string | null;
  abortRequested: boolean;
  failureReason: string | null;
}

export interface AuthoriseInput extends Actor {
  /** The production environment the authoriser means: refused when another one is waiting. */
  environment?: string;
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
export const authoriseReleaseUpdate = defineUpdate<ReleaseStatus, [AuthoriseInput]>('authoriseRelease');
export const confirmReleaseUpdate = defineUpdate<ReleaseStatus, [ConfirmInput]>('confirmRelease');
export const abortReleaseUpdate = defineUpdate<ReleaseStatus, [AbortInput]>('abortRelease');
/** From an environment's child workflow to its release. */
export const environmentProgressSignal = defineSignal<[EnvironmentProgress]>('environmentProgress');
/** From the release to the environment waiting for its smoke test. */
export const smokeTestConfirmedSignal = defineSignal<[Actor]>('smokeTestConfirmed');
