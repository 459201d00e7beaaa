import { defineQuery } from '@temporalio/workflow';
import type { IncidentState } from '../domain/incident';

export interface IncidentStatus {
  state: IncidentState;
}

export const incidentStatusQuery = defineQuery<IncidentStatus>('incidentStatus');
