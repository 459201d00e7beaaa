import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CompetenceReviewState } from '../domain/competence';

export interface CompetenceReviewStatus {
  reviewId: string | null;
  state: CompetenceReviewState;
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
