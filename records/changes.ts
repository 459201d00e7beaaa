import { changeReference, changeWorkflowId, type ChangeOpened } from '../domain/change';
import { findConflicts, type Conflict, type Interval } from '../domain/change-schedule';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';

/** Changes that hold their window: approved and on their way to, or in, implementation. */
export const WINDOW_HOLDING_STATES = ['approved', 'scheduled', 'implementing'] as const;

/**
 * The record as its workflow input has it, with its services and 'created' event, in one transaction. The API
 * writes it right after starting the workflow and the workflow's first activity writes it again: whichever
 * comes second changes nothing. Inserts that skip existing rows, because the two writes can run at once (an
 * upsert reads, then inserts, and the slower one fails on the key).
 */
export function writeChangeRecord(prisma: Db, opened: ChangeOpened) {
  const createdAt = new Date(opened.createdAt);
  return prisma.$transaction([
    prisma.changeRequest.createMany({
      skipDuplicates: true,
      data: {
        id: opened.changeId,
        number: opened.number,
        workflowId: changeWorkflowId(opened.changeId),
        type: opened.type,
        title: opened.title,
        description: opened.description,
        justification: opened.justification,
        implementationPlan: opened.implementationPlan,
        backoutPlan: opened.backoutPlan,
        requesterId: opened.requesterId,
        templateId: opened.templateId,
        problemId: opened.problemId ?? null,
        plannedStart: new Date(opened.plannedStart),
        plannedEnd: new Date(opened.plannedEnd),
        estimatedCost: opened.estimatedCost,
        currency: opened.currency,
        riskAnswers: opened.riskAnswers,
        declaresDowntime: opened.downtime ?? false,
        createdAt,
      },
    }),
    prisma.changeService.createMany({ data: opened.serviceIds.map((serviceId) => ({ changeId: opened.changeId, serviceId })), skipDuplicates: true }),
    prisma.changeCi.createMany({ data: opened.affectedCis.map((ciId) => ({ changeId: opened.changeId, ciId })), skipDuplicates: true }),
    prisma.changeEvent.createMany({
      skipDuplicates: true,
      data: { eventKey: `${opened.changeId}:created`, changeId: opened.changeId, type: 'created', actorId: opened.requesterId, at: createdAt, toState: 'draft', data: { type: opened.type } },
    }),
  ]);
}

const overlapping = (window: Interval) => ({ startsAt: { lt: new Date(window.end) }, endsAt: { gt: new Date(window.start) } });

/** What a change's services and CIs are, as the conflict rules see them (CIs by code, as people name them). */
export const CHANGE_SCOPE = { services: true, cis: { include: { ci: { select: { code: true } } } } } as const;
export type ChangeWithScope = Prisma.ChangeRequestGetPayload<{ include: typeof CHANGE_SCOPE }>;

export const changeScope = (change: ChangeWithScope) => ({ serviceIds: change.services.map((s) => s.serviceId), cis: change.cis.map((c) => c.ci.code) });

/**
 * What a window collides with: blackouts, maintenance windows and window-holding changes that touch the same
 * services or configuration items (by CI code). `db` may be a transaction, so a check and the write it allows
 * are atomic.
 */
export async function conflictsFor(
  db: Db | Prisma.TransactionClient,
  window: Interval,
  affected: { serviceIds: string[]; cis: string[] },
  excludeChangeId?: string,
): Promise<Conflict[]> {
  const [blackouts, maintenanceWindows, changes] = await Promise.all([
    db.blackoutPeriod.findMany({ where: { ...overlapping(window), OR: [{ serviceId: null }, { serviceId: { in: affected.serviceIds } }] } }),
    // Windows from this one onwards: a service that publishes any must be changed inside one of them.
    db.maintenanceWindow.findMany({ where: { serviceId: { in: affected.serviceIds }, endsAt: { gt: new Date(window.start) } } }),
    db.changeRequest.findMany({
      where: {
        id: excludeChangeId ? { not: excludeChangeId } : undefined,
        state: { in: [...WINDOW_HOLDING_STATES] },
        AND: [
          {
            OR: [
              { scheduledStart: { not: null, lt: new Date(window.end) }, scheduledEnd: { gt: new Date(window.start) } },
              { scheduledStart: null, plannedStart: { lt: new Date(window.end) }, plannedEnd: { gt: new Date(window.start) } },
            ],
          },
          { OR: [{ services: { some: { serviceId: { in: affected.serviceIds } } } }, { cis: { some: { ci: { code: { in: affected.cis } } } } }] },
        ],
      },
      include: CHANGE_SCOPE,
    }),
  ]);
  return findConflicts(window, affected, {
    blackouts: blackouts.map((b) => ({ id: b.id, name: b.name, serviceId: b.serviceId, start: b.startsAt.getTime(), end: b.endsAt.getTime() })),
    maintenanceWindows: maintenanceWindows.map((w) => ({ id: w.id, name: w.name, serviceId: w.serviceId, status: w.status, start: w.startsAt.getTime(), end: w.endsAt.getTime() })),
    changes: changes.map((c) => ({
      id: c.id,
      reference: changeReference(c.number),
      state: c.state,
      ...changeScope(c),
      start: (c.scheduledStart ?? c.plannedStart).getTime(),
      end: (c.scheduledEnd ?? c.plannedEnd).getTime(),
    })),
  });
}
