import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { IncidentOpened, IncidentState } from '../domain/incident';
import type { IncidentActivities } from '../activities/incident';
import { incidentStatusQuery } from './incident.messages';

const { recordIncidentOpened } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One incident record, from intake to closure. The API starts it with the ITSM search attributes already set,
 * so the Temporal UI lists the incident the moment it exists.
 */
export async function incidentLifecycle(opened: IncidentOpened): Promise<void> {
  const state: IncidentState = 'new';
  setHandler(incidentStatusQuery, () => ({ state }));
  await recordIncidentOpened(opened);
  await condition(() => (state as IncidentState) === 'closed');
}
