import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContinuityTestOutcome, ContinuityTestState } from '../domain/continuity';

export interface ContinuityTestStatus {
  testId: string | null;
  state: ContinuityTestState;
  dueAt: string | null;
  escalated: boolean;
  actionId: string | null;
}
export interface TestOutcomeInput {
  actorId: string;
  mayRecord: boolean;
  outcome: ContinuityTestOutcome;
  notes: string;
}

export const continuityTestStatusQuery = defineQuery<ContinuityTestStatus>('continuityTestStatus');
export const recordTestOutcomeUpdate = defineUpdate<ContinuityTestStatus, [TestOutcomeInput]>('recordTestOutcome');
