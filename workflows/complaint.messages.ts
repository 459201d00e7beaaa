import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ComplaintOutcome, ComplaintState } from '../domain/complaint';

export interface ComplaintStatus {
  state: ComplaintState;
  handlerId: string | null;
  dueAt: string;
  escalationLevel: number;
  outcome: ComplaintOutcome | null;
}

export interface AssignComplaintInput {
  actorId: string;
  handlerId: string;
}

export interface CloseComplaintInput {
  actorId: string;
  /** Managers may close any complaint; the API says whether the actor is one. */
  isManager: boolean;
  outcome: ComplaintOutcome;
  resolution: string;
}

export const complaintStatusQuery = defineQuery<ComplaintStatus>('complaintStatus');
export const assignComplaintUpdate = defineUpdate<ComplaintStatus, [AssignComplaintInput]>('assignComplaint');
export const closeComplaintUpdate = defineUpdate<ComplaintStatus, [CloseComplaintInput]>('closeComplaint');
