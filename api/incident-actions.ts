import type { UpdateDefinition } from '@temporalio/client';
import type { IncidentStatus } from '../workflows/incident.messages';
import type { ApiDeps } from './deps';
import { recordUpdater } from './workflow-updates';

/** Sends one Update to the incident's workflow; refusals become 409 with the incident's current state. */
export function sendIncidentUpdate<Input>(deps: Pick<ApiDeps, 'prisma' | 'temporal'>, incident: { id: string; workflowId: string }, update: UpdateDefinition<IncidentStatus, [Input]>, input: Input): Promise<IncidentStatus> {
  return recordUpdater(deps.temporal, 'incident', (id) => deps.prisma.incident.findUnique({ where: { id }, select: { state: true } }))(incident, update, input);
}
