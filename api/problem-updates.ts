import type { UpdateDefinition } from '@temporalio/client';
import type { ProblemStatus } from '../workflows/problem.messages';
import type { ApiDeps } from './deps';
import { sendRecordUpdate } from './workflow-updates';

/** Sends one Update to the problem's workflow; refusals become 409 with the problem's current state. */
export function sendProblemUpdate<Input>(deps: Pick<ApiDeps, 'prisma' | 'temporal'>, problem: { id: string; workflowId: string }, update: UpdateDefinition<ProblemStatus, [Input]>, input: Input): Promise<ProblemStatus> {
  const currentState = async () => (await deps.prisma.problem.findUnique({ where: { id: problem.id }, select: { state: true } }))?.state ?? 'unknown';
  return sendRecordUpdate(deps.temporal, { workflowId: problem.workflowId, noun: 'problem', currentState }, update, input);
}
