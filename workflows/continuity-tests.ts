import { ParentClosePolicy, patched, proxyActivities } from '@temporalio/workflow';
import type { ContinuityActivities } from '../activities/continuity';
import { continuityTestStart } from '../domain/governance-metadata';
import { ItsmKind } from '../domain/search-attributes';
import { startChildOnce } from './child-once';
import { continuityTest } from './continuity-test';

const { continuityPlanIds, plansToTest } = proxyActivities<ContinuityActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' }, summary: 'record: continuity plans to test' });

/** Guards the plans' titles (for the tests' Temporal UI summaries): runs before it listed ids only. */
export const NAMED_PLANS_PATCH = 'continuity-tests-named-plans';

/** Run yearly by its Schedule: one test per continuity plan and year (a second run in the same year adds none). */
export async function continuityTests(): Promise<{ started: number }> {
  const year = new Date(Date.now()).getUTCFullYear();
  const plans = patched(NAMED_PLANS_PATCH) ? await plansToTest() : (await continuityPlanIds()).map((id) => ({ id, title: id, apiUrl: undefined }));
  let started = 0;
  for (const plan of plans) {
    const metadata = { ...continuityTestStart(plan, year), typedSearchAttributes: [{ key: ItsmKind, value: 'continuity-test' }] };
    if (await startChildOnce(continuityTest, { workflowId: `continuity-test-${plan.id}-${year}`, args: [{ planId: plan.id }], parentClosePolicy: ParentClosePolicy.ABANDON, ...metadata })) started++;
  }
  return { started };
}
