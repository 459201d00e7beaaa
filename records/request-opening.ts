import type { ItemFulfilment, ItemTask, RequestApprovalPlan, RequestOpened } from '../domain/request';
import type { FormAnswers, RequestForm } from '../domain/request-form';
import type { Db } from '../prisma/database';
import type { BusinessCalendar, CatalogItem, Service } from '../prisma/generated/client';
import { calendarFromRecord } from './calendars';
import { nextRequestNumber } from './requests';

// How a request's workflow input is built from its catalogue item, for a request a person submits (the API) and
// for a revocation a process opens (an access review's revoke, a deactivated user's entitlements).

export const activeManagerIds = async (prisma: Db) => (await prisma.user.findMany({ where: { roles: { has: 'manager' }, deactivatedAt: null }, select: { id: true }, orderBy: { email: 'asc' } })).map((u) => u.id);

type Item = CatalogItem & { service: Service; calendar: BusinessCalendar };

/** Everything the workflow needs, fixed now: the item's version, its groups (with who hears of a missed OLA), its calendar. */
export async function openedFromItem(
  prisma: Db,
  item: Item,
  request: { requestId: string; requesterId: string; answers: FormAnswers; approval: RequestApprovalPlan; tasks?: ItemTask[]; revokes?: RequestOpened['revokes']; now: number },
): Promise<RequestOpened> {
  const fulfilment = item.fulfilment as unknown as ItemFulfilment;
  const tasks = request.tasks ?? fulfilment.tasks;
  const groups = await prisma.group.findMany({ where: { id: { in: tasks.map((t) => t.groupId) } } });
  const managers = await activeManagerIds(prisma);
  return {
    requestId: request.requestId,
    number: await nextRequestNumber(prisma),
    itemId: item.id,
    itemCode: item.code,
    itemName: item.name,
    itemVersion: item.version,
    kind: item.kind,
    serviceId: item.serviceId,
    serviceName: item.service.name,
    requesterId: request.requesterId,
    form: item.form as unknown as RequestForm,
    answers: request.answers,
    approval: request.approval,
    fulfilment: {
      mode: fulfilment.mode,
      tasks: tasks.map((task) => {
        const group = groups.find((g) => g.id === task.groupId)!;
        return { ...task, groupName: group.name, escalateToIds: group.leadId ? [group.leadId] : managers };
      }),
    },
    calendar: calendarFromRecord(item.calendar, request.now),
    responseTargetSeconds: item.responseTargetSeconds,
    fulfilmentTargetSeconds: item.fulfilmentTargetSeconds,
    autoCloseAfterSeconds: item.autoCloseAfterSeconds,
    slaEscalateToIds: item.service.ownerId ? [item.service.ownerId] : managers,
    revokes: request.revokes,
    openedAt: new Date(request.now).toISOString(),
  };
}

/**
 * A revocation of one entitlement: a request on the item that granted it, needing no approval (the decision to
 * revoke is the approval), with one task for the group that granted it, on that task's OLA.
 */
export async function revocationOpened(prisma: Db, { requestId, entitlementId, requesterId, reason, now }: { requestId: string; entitlementId: string; requesterId: string; reason: string; now: number }): Promise<RequestOpened> {
  const entitlement = await prisma.entitlement.findUniqueOrThrow({ where: { id: entitlementId }, include: { user: true, ci: true, item: { include: { service: true, calendar: true } } } });
  const granting = (entitlement.item.fulfilment as unknown as ItemFulfilment).tasks.at(-1)!;
  const task = { name: `Revoke ${entitlement.role} on ${entitlement.ci.name} from ${entitlement.user.name}`, groupId: granting.groupId, olaSeconds: granting.olaSeconds };
  const approval: RequestApprovalPlan = { kind: 'none', approverIds: [], quorum: { rule: 'any' }, escalateToIds: [], decisionSeconds: 1, remindBeforeSeconds: [] };
  return openedFromItem(prisma, entitlement.item, { requestId, requesterId, answers: {}, approval, tasks: [task], revokes: { entitlementId, reason }, now });
}
