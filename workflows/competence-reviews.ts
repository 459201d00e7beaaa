import { ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { CompetenceActivities } from '../activities/competence';
import { startChildOnce } from './child-once';
import { competenceReview } from './competence-review';

const { staffIds } = proxyActivities<CompetenceActivities>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute' } });

export interface CompetenceReviewSettings {
  reviewSeconds?: number;
  remindBeforeSeconds?: number[];
}

/** Run yearly by its Schedule: one competence review per member of staff and year (a second run adds none). */
export async function competenceReviews(settings: CompetenceReviewSettings = {}): Promise<{ started: number }> {
  const year = new Date(Date.now()).getUTCFullYear();
  let started = 0;
  for (const userId of await staffIds()) {
    const args = [{ userId, reviewSeconds: settings.reviewSeconds ?? 30 * 86_400, remindBeforeSeconds: settings.remindBeforeSeconds ?? [7 * 86_400] }] as Parameters<typeof competenceReview>;
    if (await startChildOnce(competenceReview, { workflowId: `competence-review-${userId}-${year}`, args, parentClosePolicy: ParentClosePolicy.ABANDON })) started++;
  }
  return { started };
}
