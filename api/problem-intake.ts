import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { nextProblemNumber, writeProblemRecord } from '../records/problems';
import { problemWorkflowId, type ProblemOpened } from '../domain/problem';
import { problemStartDetails, problemSummary } from '../domain/problem-metadata';
import { ItsmPriority } from '../temporal-config/search-attributes';
import type { problemRootCause } from '../workflows/problem';
import { investigateProblemUpdate } from '../workflows/problem.messages';
import { resolveCi } from './ci-references';
import type { ApiDeps } from './deps';
import { httpErrors } from './problem-details';
import type { CreateProblemBody } from './schemas/problem';
import { sendProblemUpdate } from './problem-updates';
import { recordApiUrl } from './workflow-links';
import { startRecordWorkflow } from './workflow-start';

const unknown = (field: string, message: string) => httpErrors.validation([{ location: 'body', field, message, code: 'unknown_reference' }]);

/** A problem opened by hand: checked, its workflow started with the whole record, then the row written. */
export async function openProblem(deps: ApiDeps, body: z.infer<typeof CreateProblemBody>, actorId: string) {
  const ci = body.ci ? await resolveCi(deps.prisma, body.ci, 'ci') : null;
  const serviceId = body.serviceId ?? ci?.serviceId ?? null;
  const service = serviceId ? await deps.prisma.service.findUnique({ where: { id: serviceId } }) : null;
  if (body.serviceId && !service) throw unknown('serviceId', `no service ${body.serviceId}`);
  if (body.ownerId && !(await deps.prisma.user.findUnique({ where: { id: body.ownerId } }))) throw unknown('ownerId', `no user ${body.ownerId}`);
  const incidentIds = [...new Set(body.incidentIds)];
  const found = await deps.prisma.incident.findMany({ where: { id: { in: incidentIds } }, select: { id: true } });
  incidentIds.forEach((id, index) => {
    if (!found.some((i) => i.id === id)) throw unknown(`incidentIds.${index}`, `no incident ${id}`);
  });
  const opened: ProblemOpened = {
    problemId: randomUUID(),
    number: await nextProblemNumber(deps.prisma),
    title: body.title,
    description: body.description,
    priority: body.priority,
    source: 'manual',
    trendKey: null,
    serviceId,
    ciId: ci?.id ?? null,
    category: body.category ?? null,
    ownerId: null,
    incidentIds,
    openedAt: new Date().toISOString(),
  };
  const workflowId = problemWorkflowId(opened.problemId);
  await startRecordWorkflow<typeof problemRootCause>(deps, 'problemRootCause', {
    workflowId,
    args: [opened],
    kind: 'problem',
    state: 'new',
    searchAttributes: [{ key: ItsmPriority, value: opened.priority }],
    summary: problemSummary(opened),
    details: problemStartDetails(opened, recordApiUrl(deps, `/api/problems/${opened.problemId}`), { service: service?.name, ci: ci && `${ci.name} (${ci.code})` }),
  });
  await writeProblemRecord(deps.prisma, opened, 'manual');
  if (body.ownerId) await sendProblemUpdate(deps, { id: opened.problemId, workflowId }, investigateProblemUpdate, { actorId, ownerId: body.ownerId });
  return deps.prisma.problem.findUniqueOrThrow({ where: { id: opened.problemId } });
}
