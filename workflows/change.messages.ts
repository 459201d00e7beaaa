import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChangeStatus } from '../domain/change-progress';

export type { ChangeStatus } from '../domain/change-progress';

export interface Actor {
  actorId: string;
}

export interface DecideInput extends Actor {
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
  /** The approval level the decision was made for (a link's, or the one the caller saw); refused at any other. */
  level?: number;
}
export interface ScheduleInput extends Actor {
  start: string;
  end: string;
  /** A manager's reason to schedule despite conflicts. */
  overrideReason: string | null;
  mayOverride: boolean;
}
export interface CompleteInput extends Actor {
  notes: string;
}
export interface FailInput extends Actor {
  reason: string;
  backoutPerformed: boolean;
  backoutNotes: string;
}
export interface ReviewInput extends Actor {
  summary: string;
  lessons: string;
}
export interface CancelInput extends Actor {
  reason: string;
}

export const changeStatusQuery = defineQuery<ChangeStatus>('changeStatus');
export const submitChangeUpdate = defineUpdate<ChangeStatus, [Actor]>('submitChange');
export const decideChangeUpdate = defineUpdate<ChangeStatus, [DecideInput]>('decideChange');
export const scheduleChangeUpdate = defineUpdate<ChangeStatus, [ScheduleInput]>('scheduleChange');
export const startChangeUpdate = defineUpdate<ChangeStatus, [Actor]>('startChange');
export const completeChangeUpdate = defineUpdate<ChangeStatus, [CompleteInput]>('completeChange');
export const failChangeUpdate = defineUpdate<ChangeStatus, [FailInput]>('failChange');
export const reviewChangeUpdate = defineUpdate<ChangeStatus, [ReviewInput]>('reviewChange');
export const cancelChangeUpdate = defineUpdate<ChangeStatus, [CancelInput]>('cancelChange');
