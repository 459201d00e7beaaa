import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { changeWorkflowId, outsideTemplateScope, type ChangeOpened } from '../domain/change';
import { changeStartDetails, changeSummary } from '../domain/change-metadata';
import { CHANGE_SCOPE, writeChangeRecord } from '../records/changes';
import { changeRisk } from '../records/change-risk';
import { standardTemplate } from '../records/standard-templates';
import { resolveCis } from './ci-references';
import { ItsmService } from '../temporal-config/search-attributes';
import type { changeApproval } from '../workflows/change';
import { submitChangeUpdate } from '../workflows/change.messages';
import type { ApiDeps } from './deps';
import { httpErrors, type FieldIssue } from './problem-details';
import type { CreateChangeBody } from './schemas/change';
import { sendChangeUpdate } from './change-updates';
import { recordApiUrl } from './workflow-links';
import { startRecordWorkflow } from './workflow-start';

const badField = (field: string, message: string) => httpErrors.validation([{ location: 'body', field, message, code: 'unknown_reference' }]);

type Body = z.infer<typeof CreateChangeBody>;

/**
 * A standard change is the template's pre-approved work and nothing more: its services and CI types within the
 * template's scope, and the template's own plans (taken when left out; any other plan is not pre-approved).
 * Returns the plans the change carries.
 */
async function withinTemplate(deps: ApiDeps, templateId: string, body: Body, services: { id: string; code: string }[], cis: { id: string; code: string; type: string }[]) {
  const template = await deps.prisma.standardChangeTemplate.findUnique({ where: { id: templateId }, include: { services: true } });
  if (!template || !template.active) throw badField('templateId', `no active standard-change template ${templateId}`);
  const scope = {
    services: body.serviceIds.map((id) => services.find((s) => s.id === id)!),
    cis: body.affectedCis.map((ref) => cis.find((ci) => ci.id === ref || ci.code === ref)!),
  };
  const issues: FieldIssue[] = outsideTemplateScope(standardTemplate(template), scope).map(({ field, index, message }) => ({ location: 'body', field: `${field}.${index}`, message, code: 'outside_template' }));
  for (const [field, label] of [['implementationPlan', 'implementation plan'], ['backoutPlan', 'back-out plan']] as const) {
    if (body[field] !== undefined && body[field] !== template[field]) {
      issues.push({ location: 'body', field, message: `a standard change follows the ${label} of its template "${template.name}"; leave it out, or raise a normal change`, code: 'outside_template' });
    }
  }
  if (issues.length > 0) throw httpErrors.validation(issues);
  return { implementationPlan: template.implementationPlan, backoutPlan: template.backoutPlan };
}

/**
 * Raises a request for change: its workflow starts first with the whole record as input, then the row is
 * written (the workflow's first activity writes the same row, so neither order loses it). With `submit` the
 * change goes straight to assessment.
 */
export async function openChange(deps: ApiDeps, body: Body, requesterId: string, problemId: string | null = null) {
  const services = await deps.prisma.service.findMany({ where: { id: { in: body.serviceIds } } });
  body.serviceIds.forEach((id, index) => {
    if (!services.some((s) => s.id === id)) throw badField(`serviceIds.${index}`, `no service with id ${id}`);
  });
  const cis = await resolveCis(deps.prisma, body.affectedCis, 'affectedCis');
  const plans = body.templateId ? await withinTemplate(deps, body.templateId, body, services, cis) : { implementationPlan: body.implementationPlan!, backoutPlan: body.backoutPlan! };
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
    ...plans,
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
    downtime: body.downtime,
    createdAt: new Date().toISOString(),
  };
  // The risk as the assessment will find it unless the CMDB changes meanwhile: the summary a manager reads is fixed at the start.
  const [risk, requester] = await Promise.all([changeRisk(deps.prisma, opened.riskAnswers, serviceIds, opened.affectedCis), deps.prisma.user.findUniqueOrThrow({ where: { id: requesterId }, select: { name: true } })]);
  await startRecordWorkflow<typeof changeApproval>(deps, 'changeApproval', {
    workflowId,
    args: [opened],
    kind: 'change',
    state: 'draft',
    searchAttributes: [{ key: ItsmService, value: opened.serviceCodes[0] }],
    summary: changeSummary(opened, risk),
    details: changeStartDetails(opened, risk, requester.name, recordApiUrl(deps, `/api/changes/${changeId}`)),
  });
  await writeChangeRecord(deps.prisma, opened);
  if (body.submit) await sendChangeUpdate(deps, { id: changeId, workflowId }, submitChangeUpdate, { actorId: requesterId });
  return deps.prisma.changeRequest.findUniqueOrThrow({ where: { id: changeId }, include: CHANGE_SCOPE });
}
