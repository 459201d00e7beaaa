import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface CompetenceReviewStatus {
  reviewId: string | null;
  state: 'opening' | 'due' | 'done';
  dueAt: string | null;
  escalated: boolean;
}
export interface CompleteReviewInput {
  actorId: string;
  isManager: boolean;
  summary: string;
}

export const competenceReviewStatusQuery = defineQuery<CompetenceReviewStatus>('competenceReviewStatus');
export const completeCompetenceReviewUpdate = defineUpdate<CompetenceReviewStatus, [CompleteReviewInput]>('completeCompetenceReview');
