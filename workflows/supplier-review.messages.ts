import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ReviewOutcome, SupplierReviewState } from '../domain/supplier';

export interface SupplierReviewStatus {
  reviewId: string | null;
  state: SupplierReviewState;
  dueAt: string | null;
  escalated: boolean;
  outcome: ReviewOutcome | null;
}

export interface AssessInput {
  actorId: string;
  /** The API says whether the actor may assess: the contract owner or a manager. */
  mayAssess: boolean;
  outcome: ReviewOutcome;
  actions: { title: string; dueOn: string | null }[];
  notes: string;
}

export interface SupplierReviewInput {
  contractId: string;
  reason: 'yearly' | 'significant-change';
}

export const supplierReviewStatusQuery = defineQuery<SupplierReviewStatus>('supplierReviewStatus');
export const assessSupplierUpdate = defineUpdate<SupplierReviewStatus, [AssessInput]>('assessSupplier');
