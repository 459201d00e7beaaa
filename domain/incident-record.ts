import type { IncidentState } from './incident';
import type { Level, Priority } from './priority';
import type { ClockView, EscalationTarget } from './sla';

// What an incident's workflow writes and answers: the record's columns, the mail it queues and the status an
// Update returns. Shared by the workflow, its activities and the API.

/** The record's columns as the workflow sees them; written whole on every change, so a retry is harmless. */
export interface IncidentSnapshot {
  state: IncidentState;
  priority: Priority;
  impact: Level;
  urgency: Level;
  major: boolean;
  assigneeId: string | null;
  groupId: string | null;
  escalationLevel: number;
  responseDueAt: string | null;
  resolutionDueAt: string | null;
  respondedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  responseBreached: boolean;
  resolutionBreached: boolean;
  resolutionCode: string | null;
  resolutionSummary: string | null;
  olaSeconds: Record<string, number>;
  /** The policy version the clocks run on now (a priority change moves to that priority's current version). */
  slaPolicyId?: string;
  slaPolicyVersion?: number;
}

export interface NotificationRequest {
  /** Unique per notification; with the recipient it forms the idempotency key. */
  key: string;
  incidentId: string;
  kind: string;
  to: EscalationTarget[];
  context: Record<string, unknown>;
}

export interface QueuedNotification extends NotificationRequest {
  at: number;
}

export interface IncidentStatus {
  state: IncidentState;
  priority: Priority;
  major: boolean;
  assigneeId: string | null;
  groupId: string | null;
  escalationLevel: number;
  response: ClockView | null;
  resolution: ClockView | null;
  /** Business seconds per assignment group (OLA). */
  olaSeconds: Record<string, number>;
  /** Mail held until service hours, with the instant it will go out. */
  heldNotifications: { kind: string; at: string }[];
}
