import { ParentClosePolicy, patched, proxyActivities } from '@temporalio/workflow';
import type { CompetenceActivities } from '../activities/competence';
import { competenceReviewStart } from '../domain/governance-metadata';
import { ItsmKind } from '../domain/search-attributes';
import { startChildOnce } from './child-once';
import { competenceReview } from './competence-review';

const { staffIds, staffToReview } = proxyActivities<CompetenceActivities>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute' }, summary: 'record: staff to review' });

/** Guards the names of the people reviewed (for the reviews' Temporal UI summaries): runs before it listed ids only. */
export const NAMED_STAFF_PATCH = 'competence-reviews-named-staff';

export interface CompetenceReviewSettings {
  reviewSeconds?: number;
  remindBeforeSeconds?: number[];
}

/** Run yearly by its Schedule: one competence review per member of staff and year (a second run adds none). */
export async function competenceReviews(settings: CompetenceReviewSettings = {}): Promise<{ started: number }> {
  const year = new Date(Date.now()).getUTCFullYear();
  const staff = patched(NAMED_STAFF_PATCH) ? await staffToReview() : (await staffIds()).map((id) => ({ id, name: id, apiUrl: undefined }));
  let started = 0;
  for (const person of staff) {
    const args = [{ userId: person.id, name: person.name, apiUrl: person.apiUrl, reviewSeconds: settings.reviewSeconds ?? 30 * 86_400, remindBeforeSeconds: settings.remindBeforeSeconds ?? [7 * 86_400] }] as Parameters<typeof competenceReview>;
    const metadata = { ...competenceReviewStart(person, year), typedSearchAttributes: [{ key: ItsmKind, value: 'competence-review' }] };
    if (await startChildOnce(competenceReview, { workflowId: `competence-review-${person.id}-${year}`, args, parentClosePolicy: ParentClosePolicy.ABANDON, ...metadata })) started++;
  }
  return { started };
}
