import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { QuorumRule } from '../domain/change';
import { requestOpeningState, requestWorkflowId, type ItemApproval, type ItemFulfilment, type RequestApprovalPlan, type RequestOpened } from '../domain/request';
import { answerProblems, answersOfKind, type FormAnswers, type RequestForm } from '../domain/request-form';
import { requestStartDetails, requestSummary } from '../domain/request-metadata';
import type { Db } from '../prisma/database';
import type { CatalogItem, Service } from '../prisma/generated/client';
import { activeManagerIds, openedFromItem } from '../records/request-opening';
import { writeRequestRecord } from '../records/requests';
import type { requestFulfilment } from '../workflows/request';
import { activeGroupIssue, activeUserIssue } from './active-references';
import type { Principal } from './auth';
import type { ApiDeps } from './deps';
import { httpErrors, type FieldIssue } from './problem-details';
import type { SubmitRequestBody } from './schemas/catalog';
import { recordApiUrl } from './workflow-links';
import { startRecordWorkflow } from './workflow-start';

const ANY: QuorumRule = { rule: 'any' };
const issue = (field: string, message: string): FieldIssue => ({ location: 'body', field, message, code: 'custom' });

/** The answers held to the item's form, people and configuration items included: a 400 naming every field that fails. */
async function checkAnswers(prisma: Db, form: RequestForm, answers: Record<string, unknown>): Promise<FormAnswers> {
  const issues = answerProblems(form, answers).map((problem) => issue(`answers.${problem.field}`, problem.message));
  if (issues.length === 0) {
    const given = answers as FormAnswers;
    for (const [field, id] of answersOfKind(form, given, 'user')) {
      const inactive = await activeUserIssue(prisma, id, `answers.${field}`);
      if (inactive) issues.push(inactive);
    }
    for (const [field, id] of answersOfKind(form, given, 'ci')) {
      if (!(await prisma.configurationItem.findUnique({ where: { id } }))) issues.push(issue(`answers.${field}`, 'must name a configuration item'));
    }
  }
  if (issues.length > 0) throw httpErrors.validation(issues);
  return Object.fromEntries(Object.entries(answers).filter(([, value]) => value !== '' && value !== null && value !== undefined)) as FormAnswers;
}

/**
 * Who approves this request: the requester's manager, the service's owner or the named group's members; never
 * the requester (segregation of duties). An item that needs an approver nobody fills answers 409: the request
 * would wait for no one.
 */
async function approvalFor(prisma: Db, approval: ItemApproval, service: Service, requesterId: string): Promise<RequestApprovalPlan> {
  const escalateToIds = service.ownerId ? [service.ownerId] : await activeManagerIds(prisma);
  const plan = (approverIds: string[], quorum: QuorumRule = ANY): RequestApprovalPlan => ({ kind: approval.kind, approverIds, quorum, escalateToIds, decisionSeconds: approval.decisionSeconds, remindBeforeSeconds: approval.remindBeforeSeconds });
  const requester = await prisma.user.findUniqueOrThrow({ where: { id: requesterId }, include: { manager: true } });
  let approverIds: string[] = [];
  switch (approval.kind) {
    case 'none':
      return plan([]);
    case 'manager':
      approverIds = requester.manager && !requester.manager.deactivatedAt ? [requester.manager.id] : [];
      break;
    case 'service_owner':
      approverIds = service.ownerId && service.ownerId !== requesterId ? [service.ownerId] : [];
      break;
    case 'group': {
      const members = await prisma.groupMember.findMany({ where: { groupId: approval.groupId, user: { deactivatedAt: null } }, orderBy: { userId: 'asc' } });
      approverIds = members.map((m) => m.userId).filter((id) => id !== requesterId);
      break;
    }
  }
  if (approverIds.length === 0) throw httpErrors.conflict(`this item needs approval by ${approval.kind === 'manager' ? 'your manager, and none is on record for you' : approval.kind === 'service_owner' ? "the service's owner, and there is none other than you" : 'its group, which has no member other than you'}; ask an administrator`);
  return plan(approverIds, approval.quorum ?? ANY);
}

/**
 * A request as its requester submits it: the answers checked against the item's current version, approvers and
 * groups resolved, every clock's calendar fixed, the workflow started with the whole record, then the row written.
 */
export async function submitRequest(deps: ApiDeps, body: z.infer<typeof SubmitRequestBody>, principal: Principal) {
  const { prisma } = deps;
  const item = await prisma.catalogItem.findFirst({ where: { id: body.itemId, retiredAt: null }, include: { service: true, calendar: true } });
  if (!item) throw httpErrors.validation([issue('itemId', `no catalogue item ${body.itemId} that takes requests`)]);
  const answers = await checkAnswers(prisma, item.form as unknown as RequestForm, body.answers);
  const approval = await approvalFor(prisma, item.approval as unknown as ItemApproval, item.service, principal.id);
  const opened = await openedFromItem(prisma, item, { requestId: randomUUID(), requesterId: principal.id, answers, approval, now: Date.now() });
  await startRequest(deps, opened, principal.name);
  return opened.requestId;
}

/** Starts the request's workflow, then writes its row (the workflow writes it too; whichever comes first wins). */
export async function startRequest(deps: ApiDeps, opened: RequestOpened, requesterName: string) {
  await startRecordWorkflow<typeof requestFulfilment>(deps, 'requestFulfilment', {
    workflowId: requestWorkflowId(opened.requestId),
    args: [opened],
    kind: 'request',
    state: requestOpeningState(opened),
    summary: requestSummary(opened, requesterName),
    details: requestStartDetails(opened, recordApiUrl(deps, `/api/requests/${opened.requestId}`), requesterName),
  });
  await writeRequestRecord(deps.prisma, opened);
}

/** What an item refers to must exist: the service, calendar, groups, system; 400 naming the field otherwise. */
export async function checkItemReferences(prisma: Db, item: Pick<CatalogItem, 'calendarId'> & { serviceId?: string; ciId?: string | null; approval: ItemApproval; fulfilment: ItemFulfilment }) {
  const issues: FieldIssue[] = [];
  if (item.serviceId && !(await prisma.service.findFirst({ where: { id: item.serviceId, retiredAt: null } }))) issues.push(issue('serviceId', 'must name an active service'));
  if (!(await prisma.businessCalendar.findUnique({ where: { id: item.calendarId } }))) issues.push(issue('calendarId', 'must name a business calendar'));
  if (item.ciId && !(await prisma.configurationItem.findUnique({ where: { id: item.ciId } }))) issues.push(issue('ciId', 'must name a configuration item'));
  const groups: [string, string][] = [...(item.approval.groupId ? [['approval.groupId', item.approval.groupId] as [string, string]] : []), ...item.fulfilment.tasks.map((task, index): [string, string] => [`fulfilment.tasks.${index}.groupId`, task.groupId])];
  for (const [field, groupId] of groups) {
    const problem = await activeGroupIssue(prisma, groupId, field);
    if (problem) issues.push(problem);
  }
  if (issues.length > 0) throw httpErrors.validation(issues);
}
