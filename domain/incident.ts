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
}

export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}

export function incidentReference(number: number): string {
  return `INC-${String(number).padStart(6, '0')}`;
}
