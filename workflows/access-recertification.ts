import { ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { AccessReviewActivities } from '../activities/access-review';
import { accessReviewWorkflowId, type AccessReviewSettings } from '../domain/access-review';
import { ItsmKind } from '../domain/search-attributes';
import { summaryLine } from '../domain/workflow-metadata';
import { accessReview } from './access-review';
import { startChildOnce } from './child-once';

const { systemsToRecertify } = proxyActivities<AccessReviewActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' }, summary: 'record: systems with access to recertify' });

/** Run yearly by its Schedule: one access review per system that anyone holds access to, and year. */
export async function accessRecertification(settings: AccessReviewSettings = {}): Promise<{ started: number }> {
  const year = new Date(Date.now()).getUTCFullYear();
  let started = 0;
  for (const system of await systemsToRecertify()) {
    const metadata = { typedSearchAttributes: [{ key: ItsmKind, value: 'access-review' }], staticSummary: summaryLine(['Access review', system.name, year]) };
    if (await startChildOnce(accessReview, { workflowId: accessReviewWorkflowId(system.id, year), args: [{ ciId: system.id, system: system.name, ...settings }], parentClosePolicy: ParentClosePolicy.ABANDON, ...metadata })) started++;
  }
  return { started };
}
