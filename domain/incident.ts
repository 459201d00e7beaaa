import type { Level, Priority } from './priority';

// The incident record's lifecycle (ISO/IEC 20000-1 clause 8.6.1). This module is the single source of
// which transitions exist; the workflow's update validators and the API's 409 answers both come from it.

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
  assigneeId?: string | null;
  assigneeEmail?: string | null;
  /** How it reached the service desk, and who logged it when staff did so for the requester. */
  channel?: string;
  loggedById?: string | null;
}

/** The record's routing columns at opening: a routed member makes it assigned from the start. */
export function openingColumns(opened: IncidentOpened): { groupId: string | null; assigneeId: string | null; state: IncidentState } {
  const assigneeId = opened.assigneeId ?? null;
  return { groupId: opened.groupId ?? null, assigneeId, state: assigneeId ? stateAfter('assign', 'new') : 'new' };
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
  | 'declareMajor';

const ALLOWED_FROM: Record<IncidentCommand, readonly IncidentState[]> = {
  assign: OPEN_STATES,
  acknowledge: ['new', 'assigned'],
  addNote: [...OPEN_STATES, 'resolved'],
  setPending: ['assigned', 'in_progress'],
  resume: ['pending'],
  changePriority: OPEN_STATES,
  resolve: OPEN_STATES,
  reopen: ['resolved'],
  close: ['resolved'],
  declareMajor: OPEN_STATES,
};

/** Why `command` is not allowed in `state`, or null when it is. */
export function illegalTransition(command: IncidentCommand, state: IncidentState): string | null {
  if (ALLOWED_FROM[command].includes(state)) return null;
  return `${command} is not allowed while the incident is ${state} (allowed from: ${ALLOWED_FROM[command].join(', ')})`;
}

/** The state after a legal command. A customer reply to a pending incident resumes it. */
export function stateAfter(command: IncidentCommand, state: IncidentState, options: { customerReply?: boolean } = {}): IncidentState {
  switch (command) {
    case 'assign':
      return state === 'new' ? 'assigned' : state;
    case 'acknowledge':
    case 'resume':
    case 'reopen':
      return 'in_progress';
    case 'setPending':
      return 'pending';
    case 'resolve':
      return 'resolved';
    case 'close':
      return 'closed';
    case 'addNote':
      return options.customerReply && state === 'pending' ? 'in_progress' : state;
    case 'changePriority':
    case 'declareMajor':
      return state;
  }
}

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
