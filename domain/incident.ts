import type { Level, Priority } from './priority';
import type { TransitionTable } from './transitions';

// The incident record's lifecycle (ISO/IEC 20000-1 clause 8.6.1). This module is the single source of
// which transitions exist (INCIDENT_TRANSITIONS): the workflow's validators and the API's 409 answers both
// come from it.

export const INCIDENT_STATES = ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const OPEN_STATES: readonly IncidentState[] = ['new', 'assigned', 'in_progress', 'pending'];

export function isOpen(state: IncidentState): boolean {
  return OPEN_STATES.includes(state);
}

/** What a workflow is started with: enough to recreate the record if its row were ever missing. */
export interface IncidentOpened {
  incidentId: string;
  number: number;
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  serviceId: string;
  serviceCode: string;
  requesterId: string;
  openedAt: string;
  /** Added with the CMDB; absent in workflows started before it. */
  category?: string | null;
  ciIds?: string[];
  /** Where intake routing sent it; absent in workflows started before routing. */
  groupId?: string | null;
  /** The routed group's name, for the Temporal UI; absent in workflows started before it was shown there. */
  groupName?: string | null;
  assigneeId?: string | null;
  assigneeEmail?: string | null;
  /** How it reached the service desk, and who logged it when staff did so for the requester. */
  channel?: string;
  loggedById?: string | null;
}

/** The record's routing columns at opening: a routed member makes it assigned from the start. */
export function openingColumns(opened: IncidentOpened): { groupId: string | null; assigneeId: string | null; state: IncidentState } {
  const assigneeId = opened.assigneeId ?? null;
  return { groupId: opened.groupId ?? null, assigneeId, state: assigneeId ? assignTarget('new') : 'new' };
}

export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}

export function incidentReference(number: number): string {
  return `INC-${String(number).padStart(6, '0')}`;
}

export type IncidentCommand =
  | 'assign'
  | 'acknowledge'
  | 'addNote'
  | 'setPending'
  | 'resume'
  | 'changePriority'
  | 'resolve'
  | 'reopen'
  | 'close'
  | 'declareMajor'
  | 'autoClose';

export const INCIDENT_TRANSITIONS: TransitionTable<IncidentState, IncidentCommand> = {
  noun: 'incident',
  states: INCIDENT_STATES,
  initial: 'new',
  final: ['closed'],
  rules: {
    // Handing work already under way to another group or person leaves its state as it is.
    assign: { from: OPEN_STATES, to: ['assigned'], stays: true, by: 'person' },
    acknowledge: { from: ['new', 'assigned'], to: ['in_progress'], by: 'person' },
    // A customer's reply resumes a pending incident; any other note leaves the state as it is.
    addNote: { from: [...OPEN_STATES, 'resolved'], to: ['in_progress'], stays: true, by: 'person' },
    setPending: { from: ['assigned', 'in_progress'], to: ['pending'], by: 'person' },
    resume: { from: ['pending'], to: ['in_progress'], by: 'person' },
    changePriority: { from: OPEN_STATES, to: [], by: 'person' },
    resolve: { from: OPEN_STATES, to: ['resolved'], by: 'person' },
    reopen: { from: ['resolved'], to: ['in_progress'], by: 'person' },
    close: { from: ['resolved'], to: ['closed'], by: 'person' },
    declareMajor: { from: OPEN_STATES, to: [], by: 'person' },
    // A resolution nobody disputes within the policy's quiet period is closed by the process.
    autoClose: { from: ['resolved'], to: ['closed'], by: 'timer' },
  },
};

/** Where `assign` leads: new work becomes assigned, work already taken keeps its state. */
export const assignTarget = (state: IncidentState): IncidentState => (state === 'new' ? 'assigned' : state);

/** Where `addNote` leads: a customer's reply resumes a pending incident. */
export const noteTarget = (state: IncidentState, author: NoteAuthor): IncidentState => (author === 'customer' && state === 'pending' ? 'in_progress' : state);

export type NoteVisibility = 'public' | 'internal';
export type NoteAuthor = 'agent' | 'customer';

/**
 * First response is the service provider's first contact with the customer: an acknowledgement or a public
 * note written by an agent. Internal notes and the customer's own replies do not stop the response clock.
 */
export function countsAsFirstResponse(command: IncidentCommand, note?: { visibility: NoteVisibility; author: NoteAuthor }): boolean {
  if (command === 'acknowledge') return true;
  return command === 'addNote' && note?.visibility === 'public' && note.author === 'agent';
}
