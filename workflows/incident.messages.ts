import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { NoteAuthor, NoteVisibility } from '../domain/incident';
import type { IncidentStatus } from '../domain/incident-record';
import type { Level, Priority } from '../domain/priority';

export type { IncidentStatus };

export interface Actor {
  actorId: string;
}

export interface AssignInput extends Actor {
  groupId?: string | null;
  assigneeId?: string | null;
  /** The group's name, shown in the workflow's details in the Temporal UI. */
  groupName?: string | null;
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
