import type { UpdateDefinition } from '@temporalio/client';
import type { ChangeStatus } from '../workflows/change.messages';
import type { ApiDeps } from './deps';
import { recordUpdater } from './workflow-updates';

/** Sends one Update to the change's workflow; refusals become 403/409 with the change's current state. */
export function sendChangeUpdate<Input>(deps: Pick<ApiDeps, 'prisma' | 'temporal'>, change: { id: string; workflowId: string }, update: UpdateDefinition<ChangeStatus, [Input]>, input: Input): Promise<ChangeStatus> {
  return recordUpdater(deps.temporal, 'change', (id) => deps.prisma.changeRequest.findUnique({ where: { id }, select: { state: true } }))(change, update, input);
}
