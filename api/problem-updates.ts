import type { UpdateDefinition } from '@temporalio/client';
import type { ProblemStatus } from '../workflows/problem.messages';
import type { ApiDeps } from './deps';
import { recordUpdater } from './workflow-updates';

/** Sends one Update to the problem's workflow; refusals become 409 with the problem's current state. */
export function sendProblemUpdate<Input>(deps: Pick<ApiDeps, 'prisma' | 'temporal'>, problem: { id: string; workflowId: string }, update: UpdateDefinition<ProblemStatus, [Input]>, input: Input): Promise<ProblemStatus> {
  return recordUpdater(deps.temporal, 'problem', (id) => deps.prisma.problem.findUnique({ where: { id }, select: { state: true } }))(problem, update, input);
}
