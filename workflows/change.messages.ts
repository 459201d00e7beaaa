import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChangeState, ChangeType, RiskLevel } from '../domain/change';
import type { Conflict } from '../domain/change-schedule';

export interface Actor {
  actorId: string;
}

export interface ApprovalDecision {
  approverId: string;
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
  at: string;
}

export interface StageStatus {
  level: number;
  board: string;
  boardName: string;
  quorum: string;
  required: number;
  approverIds: string[];
  decisions: ApprovalDecision[];
  deadline: string;
}

export interface ChangeStatus {
  state: ChangeState;
  type: ChangeType;
  riskScore: number | null;
  riskLevel: RiskLevel | null;
  /** The approval stage under way (or the last one decided). */
  stage: StageStatus | null;
  stages: number;
  escalationLevel: number;
  approvalDueAt: string | null;
  costApprovedAt: string | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  conflicts: Conflict[];
  reviewDueAt: string | null;
  outcome: 'successful' | 'failed' | null;
  closeReason: string | null;
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
