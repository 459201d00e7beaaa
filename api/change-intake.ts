import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { changeWorkflowId, type ChangeOpened } from '../domain/change';
import { CHANGE_SCOPE, writeChangeRecord } from '../activities/change-records';
import { resolveCis } from './ci-references';
import { ItsmKind, ItsmService, ItsmState } from '../temporal-config/search-attributes';
import type { changeApproval } from '../workflows/change';
import { submitChangeUpdate } from '../workflows/change.messages';
import type { ApiDeps } from './deps';
import { problems } from './problem';
import type { CreateChangeBody } from './schemas/change';
import { sendChangeUpdate } from './change-updates';
import { startRecordWorkflow } from './workflow-start';

const badField = (field: string, message: string) => problems.validation([{ location: 'body', field, message, code: 'unknown_reference' }]);

/**
 * Raises a request for change: its workflow starts first with the whole record as input, then the row is
 * written (the workflow's first activity writes the same row, so neither order loses it). With `submit` the
 * change goes straight to assessment.
 */
export async function openChange(deps: ApiDeps, body: z.infer<typeof CreateChangeBody>, requesterId: string, problemId: string | null = null) {
  const services = await deps.prisma.service.findMany({ where: { id: { in: body.serviceIds } } });
  body.serviceIds.forEach((id, index) => {
    if (!services.some((s) => s.id === id)) throw badField(`serviceIds.${index}`, `no service with id ${id}`);
  });
  if (body.templateId) {
    const template = await deps.prisma.standardChangeTemplate.findUnique({ where: { id: body.templateId } });
    if (!template || !template.active) throw badField('templateId', `no active standard-change template ${body.templateId}`);
  }
  const cis = await resolveCis(deps.prisma, body.affectedCis, 'affectedCis');
  const changeId = randomUUID();
  const workflowId = changeWorkflowId(changeId);
  const [{ number }] = await deps.prisma.$queryRaw<{ number: number }[]>`SELECT nextval(pg_get_serial_sequence('"ChangeRequest"', 'number'))::int AS number`;
  const serviceIds = [...new Set(body.serviceIds)];
  const opened: ChangeOpened = {
    changeId,
    number,
    type: body.type,
    title: body.title,
    description: body.description,
    justification: body.justification,
    implementationPlan: body.implementationPlan,
    backoutPlan: body.backoutPlan,
    requesterId,
    templateId: body.templateId ?? null,
    serviceIds,
    serviceCodes: serviceIds.map((id) => services.find((s) => s.id === id)!.code),
    affectedCis: cis.map((ci) => ci.id),
    problemId,
    plannedStart: new Date(body.plannedStart).toISOString(),
    plannedEnd: new Date(body.plannedEnd).toISOString(),
    estimatedCost: body.estimatedCost,
    currency: body.currency,
    riskAnswers: body.riskAnswers,
    createdAt: new Date().toISOString(),
  };
  await startRecordWorkflow<typeof changeApproval>(deps.temporal, 'changeApproval', {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [opened],
    typedSearchAttributes: [
      { key: ItsmKind, value: 'change' },
      { key: ItsmState, value: 'draft' },
      { key: ItsmService, value: opened.serviceCodes[0] },
    ],
  });
  await writeChangeRecord(deps.prisma, opened);
  if (body.submit) await sendChangeUpdate(deps, { id: changeId, workflowId }, submitChangeUpdate, { actorId: requesterId });
  return deps.prisma.changeRequest.findUniqueOrThrow({ where: { id: changeId }, include: CHANGE_SCOPE });
}
