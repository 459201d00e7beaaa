import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface ContinuityTestStatus {
  testId: string | null;
  state: 'opening' | 'due' | 'passed' | 'failed';
  dueAt: string | null;
  escalated: boolean;
  actionId: string | null;
}
export interface TestOutcomeInput {
  actorId: string;
  mayRecord: boolean;
  outcome: 'passed' | 'failed';
  notes: string;
}

export const continuityTestStatusQuery = defineQuery<ContinuityTestStatus>('continuityTestStatus');
export const recordTestOutcomeUpdate = defineUpdate<ContinuityTestStatus, [TestOutcomeInput]>('recordTestOutcome');
