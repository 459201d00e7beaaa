import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RequestStatus } from '../domain/request-status';

export type { RequestStatus } from '../domain/request-status';

export interface RequestActor {
  actorId: string;
}

export interface DecideRequestInput extends RequestActor {
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
}

export interface TaskInput extends RequestActor {
  taskId: string;
  /** Whether the actor is a member of the task's group now, as the API read it; a manager may act for any group. */
  mayWork: boolean;
  notes?: string;
}

export interface RequestInfoInput extends RequestActor {
  question: string;
  /** Staff and the request's approvers may ask its requester for more; the API says whether the actor is staff. */
  isStaff: boolean;
}

export interface ProvideInfoInput extends RequestActor {
  answer: string;
}

export interface CancelRequestInput extends RequestActor {
  reason: string;
  isManager: boolean;
}

export const requestStatusQuery = defineQuery<RequestStatus>('requestStatus');
export const decideRequestUpdate = defineUpdate<RequestStatus, [DecideRequestInput]>('decideRequest');
export const takeRequestTaskUpdate = defineUpdate<RequestStatus, [TaskInput]>('takeRequestTask');
export const completeRequestTaskUpdate = defineUpdate<RequestStatus, [TaskInput]>('completeRequestTask');
export const requestInfoUpdate = defineUpdate<RequestStatus, [RequestInfoInput]>('requestInfo');
export const provideInfoUpdate = defineUpdate<RequestStatus, [ProvideInfoInput]>('provideRequestInfo');
export const confirmRequestUpdate = defineUpdate<RequestStatus, [RequestActor]>('confirmRequest');
export const cancelRequestUpdate = defineUpdate<RequestStatus, [CancelRequestInput]>('cancelRequest');
