import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AuditState } from '../domain/audit';

export interface AuditStatus {
  auditId: string | null;
  state: AuditState;
  auditorId: string | null;
  findings: number;
  reviewDueAt: string | null;
  escalated: boolean;
}

export interface AssignAuditorInput {
  actorId: string;
  auditorId: string;
}
export interface FindingInput {
  actorId: string;
  clause: string;
  title: string;
  severity: 'observation' | 'minor' | 'major';
  description: string;
  ownerId: string;
  dueInSeconds: number;
}
export interface SignOffInput {
  actorId: string;
  /** Managers sign off the management review; the API says whether the actor is one. */
  isManager: boolean;
}

export const auditStatusQuery = defineQuery<AuditStatus>('auditStatus');
export const assignAuditorUpdate = defineUpdate<AuditStatus, [AssignAuditorInput]>('assignAuditor');
export const recordFindingUpdate = defineUpdate<AuditStatus, [FindingInput]>('recordFinding');
export const finishFieldworkUpdate = defineUpdate<AuditStatus, [{ actorId: string }]>('finishFieldwork');
export const signOffAuditUpdate = defineUpdate<AuditStatus, [SignOffInput]>('signOffAudit');
