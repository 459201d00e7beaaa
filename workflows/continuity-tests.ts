import { ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { ContinuityActivities } from '../activities/continuity';
import { startChildOnce } from './child-once';
import { continuityTest } from './continuity-test';

const { continuityPlanIds } = proxyActivities<ContinuityActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** Run yearly by its Schedule: one test per continuity plan and year (a second run in the same year adds none). */
export async function continuityTests(): Promise<{ started: number }> {
  const year = new Date(Date.now()).getUTCFullYear();
  let started = 0;
  for (const planId of await continuityPlanIds()) {
    if (await startChildOnce(continuityTest, { workflowId: `continuity-test-${planId}-${year}`, args: [{ planId }], parentClosePolicy: ParentClosePolicy.ABANDON })) started++;
  }
  return { started };
}
