import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CorrectiveActionState } from '../domain/corrective-action';

export interface CorrectiveActionStatus {
  state: CorrectiveActionState;
  dueAt: string;
  escalated: boolean;
}

export interface CompleteActionInput {
  actorId: string;
  /** Managers may record any action done; the API says whether the actor is one. */
  mayComplete: boolean;
  notes: string;
}

export const correctiveActionStatusQuery = defineQuery<CorrectiveActionStatus>('correctiveActionStatus');
export const completeActionUpdate = defineUpdate<CorrectiveActionStatus, [CompleteActionInput]>('completeCorrectiveAction');
