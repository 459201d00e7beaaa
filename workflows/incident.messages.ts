import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IncidentState, NoteAuthor, NoteVisibility } from '../domain/incident';
import type { Level, Priority } from '../domain/priority';
import type { ClockView } from '../domain/sla';

export interface Actor {
  actorId: string;
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

export interface AssignInput extends Actor {
  groupId?: string | null;
  assigneeId?: string | null;
  /** Shown in the Temporal UI as ItsmAssignee. */
  assigneeEmail?: string | null;
}
export interface NoteInput extends Actor {
  body: string;
  visibility: NoteVisibility;
  author: NoteAuthor;
}
export interface ReasonInput extends Actor {
  reason: string;
}
export interface PriorityInput extends ReasonInput {
  priority: Priority;
  impact: Level;
  urgency: Level;
}
export interface ResolveInput extends Actor {
  code: string;
  summary: string;
}

export const incidentStatusQuery = defineQuery<IncidentStatus>('incidentStatus');
export const assignUpdate = defineUpdate<IncidentStatus, [AssignInput]>('assign');
export const acknowledgeUpdate = defineUpdate<IncidentStatus, [Actor]>('acknowledge');
export const addNoteUpdate = defineUpdate<IncidentStatus, [NoteInput]>('addNote');
export const setPendingUpdate = defineUpdate<IncidentStatus, [ReasonInput]>('setPending');
export const resumeUpdate = defineUpdate<IncidentStatus, [Actor]>('resume');
export const changePriorityUpdate = defineUpdate<IncidentStatus, [PriorityInput]>('changePriority');
export const resolveUpdate = defineUpdate<IncidentStatus, [ResolveInput]>('resolve');
export const reopenUpdate = defineUpdate<IncidentStatus, [ReasonInput]>('reopen');
export const closeUpdate = defineUpdate<IncidentStatus, [Actor]>('close');
export const declareMajorUpdate = defineUpdate<IncidentStatus, [ReasonInput]>('declareMajor');
