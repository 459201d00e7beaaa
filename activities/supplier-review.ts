import type { ActionOffer } from '../domain/action-links';
import { targetResults, type UnderpinningTarget } from '../domain/supplier';
import type { ContractFacts } from '../domain/supplier-metadata';
import { recordApiUrl } from '../api/workflow-links';
import type { Db } from '../prisma/database';
import type { Contract, Prisma } from '../prisma/generated/client';
import type { ContractSchedule } from '../temporal-config/schedules';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, peopleToMail } from '../records/mail/deliveries';
import { offeredLinks } from '../records/mail/offered-links';
import { localiseInstants } from '../records/mail/reader-time';

export interface SupplierActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
}

export interface SupplierPerformance {
  periodStart: string;
  periodEnd: string;
  incidents: number;
  incidentsByPriority: Record<string, number>;
  targets: ReturnType<typeof targetResults>;
  changes: number;
  changesSuccessful: number;
  changesFailed: number;
  openDisputes: number;
}

export interface ReviewPatch {
  state?: string;
  dueAt?: string | null;
  escalated?: boolean;
  performance?: SupplierPerformance;
  outcome?: string;
  actions?: { title: string; dueOn: string | null }[];
  notes?: string;
  assessorId?: string;
  decidedAt?: string;
}

const YEAR_MS = 365 * 86_400_000;

export interface OpenedSupplierReview {
  reviewId: string;
  ownerId: string;
  assessmentSeconds: number;
  remindBeforeSeconds: number[];
  /** The contract's names and the review's API address, for the Temporal UI; absent from reviews opened before them. */
  contract?: ContractFacts;
  apiUrl?: string;
}

const MAIL: Record<string, (c: { contract: string; supplier: string; detail: string }) => { subject: string; text: string }> = {
  'supplier-review-request': (c) => ({ subject: `[${c.contract}] supplier review: ${c.supplier}`, text: `Assess ${c.supplier}'s performance under ${c.contract} (continue, renegotiate or terminate) by ${c.detail}.` }),
  'supplier-review-reminder': (c) => ({ subject: `[${c.contract}] reminder: supplier review due ${c.detail}`, text: `The review of ${c.supplier} under ${c.contract} is due by ${c.detail}.` }),
  'supplier-review-escalation': (c) => ({ subject: `[${c.contract}] ESCALATED: supplier review overdue`, text: `The review of ${c.supplier} under ${c.contract} was due by ${c.detail} and has not been assessed.` }),
};

export function createSupplierActivities({ prisma, mailer, publicUrl, actionSecret }: SupplierActivityDeps) {
  return {
    /** The review's record, keyed by its workflow: its period runs from the last review's end (or the contract's start). */
    async openSupplierReview({ workflowId, contractId, reason, at }: { workflowId: string; contractId: string; reason: string; at: string }): Promise<OpenedSupplierReview> {
      const contract = await prisma.contract.findUniqueOrThrow({ where: { id: contractId }, include: { supplier: true, owner: true } });
      const existing = await prisma.supplierReview.findUnique({ where: { workflowId } });
      const review =
        existing ??
        (await prisma.supplierReview.create({
          data: {
            workflowId,
            contractId,
            reason,
            periodEnd: new Date(at),
            periodStart: (await prisma.supplierReview.findFirst({ where: { contractId, state: 'assessed' }, orderBy: { periodEnd: 'desc' } }))?.periodEnd ?? new Date(Math.max(contract.startsOn.getTime(), Date.parse(at) - YEAR_MS)),
          },
        }));
      // The contract's names and the review's API address are for the workflow's details in the Temporal UI.
      const facts: ContractFacts = { reference: contract.reference, title: contract.title, supplier: contract.supplier.name, owner: contract.owner.name, endsOn: contract.endsOn };
      return {
        reviewId: review.id,
        ownerId: contract.ownerId,
        assessmentSeconds: contract.assessmentSeconds,
        remindBeforeSeconds: [...contract.remindBeforeSeconds],
        contract: facts,
        apiUrl: recordApiUrl({ publicUrl }, `/api/supplier-reviews/${review.id}`),
      };
    },

    /** What the records say of the supplier over the period: incidents on its services against its targets, changes, disputes. */
    async gatherSupplierPerformance({ reviewId }: { reviewId: string }): Promise<SupplierPerformance> {
      const review = await prisma.supplierReview.findUniqueOrThrow({ where: { id: reviewId }, include: { contract: { include: { services: true } } } });
      const serviceIds = review.contract.services.map((s) => s.serviceId);
      const period = { gte: review.periodStart, lt: review.periodEnd };
      const [incidents, changes, openDisputes] = await Promise.all([
        prisma.incident.findMany({ where: { serviceId: { in: serviceIds }, createdAt: period }, select: { priority: true, responseBreached: true, resolutionBreached: true } }),
        prisma.changeRequest.findMany({ where: { services: { some: { serviceId: { in: serviceIds } } }, implementedAt: period }, select: { outcome: true } }),
        prisma.supplierDispute.count({ where: { contractId: review.contractId, status: 'open' } }),
      ]);
      const performance: SupplierPerformance = {
        periodStart: review.periodStart.toISOString(),
        periodEnd: review.periodEnd.toISOString(),
        incidents: incidents.length,
        incidentsByPriority: incidents.reduce<Record<string, number>>((counts, i) => ({ ...counts, [i.priority]: (counts[i.priority] ?? 0) + 1 }), {}),
        targets: targetResults(review.contract.targets as unknown as UnderpinningTarget[], incidents),
        changes: changes.length,
        changesSuccessful: changes.filter((c) => c.outcome === 'successful').length,
        changesFailed: changes.filter((c) => c.outcome === 'failed').length,
        openDisputes,
      };
      await prisma.supplierReview.update({ where: { id: reviewId }, data: { performance: performance as unknown as Prisma.InputJsonObject } });
      return performance;
    },

    async recordSupplierReview({ reviewId, patch }: { reviewId: string; patch: ReviewPatch }): Promise<void> {
      const { dueAt, decidedAt, performance, actions, ...rest } = patch;
      await prisma.supplierReview.update({
        where: { id: reviewId },
        data: {
          ...rest,
          ...(dueAt === undefined ? {} : { dueAt: dueAt === null ? null : new Date(dueAt) }),
          ...(decidedAt === undefined ? {} : { decidedAt: new Date(decidedAt) }),
          ...(performance === undefined ? {} : { performance: performance as unknown as Prisma.InputJsonObject }),
          ...(actions === undefined ? {} : { actions: actions as Prisma.InputJsonArray }),
        },
      });
    },

    /** Tells the contract owner its notice period starts, once per contract end date. */
    async sendContractRenewalReminder({ contractId }: { contractId: string }): Promise<'sent' | 'skipped'> {
      const contract = await prisma.contract.findUniqueOrThrow({ where: { id: contractId }, include: { owner: true, supplier: true } });
      const ends = contract.endsOn.toISOString().slice(0, 10);
      const what = { tacit: `it renews by itself unless notice is given within ${contract.noticeDays} days`, explicit: `it must be renewed explicitly within ${contract.noticeDays} days`, none: 'it ends then; arrange a replacement' }[contract.renewal] ?? contract.renewal;
      return deliverOnce(prisma, mailer, {
        idempotencyKey: `contract-renewal:${contract.id}:${ends}:${contract.owner.email}`,
        recipient: contract.owner,
        kind: 'contract-renewal',
        subject: `[${contract.reference}] notice period starts: ${contract.supplier.name} contract ends ${ends}`,
        text: `The contract ${contract.reference} with ${contract.supplier.name} ends on ${ends}: ${what}.\n\n${publicUrl}/api/contracts/${contract.id}\n`,
        headers: { 'X-Itsm-Contract': contract.reference, 'X-Itsm-Contract-Id': contract.id },
      });
    },

    /** With an offer, each recipient also gets their own link to take the step (the assessment). */
    async sendSupplierNotification({ key, reviewId, kind, toUserIds, detail, offer }: { key: string; reviewId: string; kind: string; toUserIds: string[] | 'managers'; detail: string; offer?: ActionOffer }) {
      const review = await prisma.supplierReview.findUniqueOrThrow({ where: { id: reviewId }, include: { contract: { include: { supplier: true } } } });
      const { users, recipients } = await peopleToMail(prisma, toUserIds);
      const linkFor = offeredLinks({ actionSecret, publicUrl }, offer, users);
      for (const recipient of recipients) {
        const idempotencyKey = `${key}:${recipient.email}`;
        const mail = MAIL[kind]({ contract: review.contract.reference, supplier: review.contract.supplier.name, detail: localiseInstants(detail, recipient) });
        await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind,
          subject: mail.subject,
          text: `${mail.text}${await linkFor(recipient, idempotencyKey)}\n\n${publicUrl}/api/supplier-reviews/${review.id}\n`,
          headers: { 'X-Itsm-Contract': review.contract.reference, 'X-Itsm-Supplier-Review-Id': review.id },
        });
      }
    },
  };
}

export type SupplierActivities = ReturnType<typeof createSupplierActivities>;

/**
 * The active contracts, for their yearly review and renewal schedules; with the API's public address, each
 * scheduled run's details link to its contract.
 */
export async function contractsToSchedule(prisma: Db, publicUrl?: string): Promise<ContractSchedule[]> {
  const contracts = await prisma.contract.findMany({ where: { status: 'active' }, include: { supplier: { select: { name: true } }, owner: { select: { name: true } } } });
  return contracts.map((contract) => scheduledContract(contract, publicUrl));
}

/** A contract as its Schedules need it: its dates, and the names its runs show in the Temporal UI. */
export function scheduledContract(contract: Contract & { supplier: { name: string }; owner: { name: string } }, publicUrl?: string): ContractSchedule {
  const { id, reference, title, startsOn, endsOn, noticeDays } = contract;
  return { id, reference, title, startsOn, endsOn, noticeDays, supplier: contract.supplier.name, owner: contract.owner.name, apiUrl: recordApiUrl({ publicUrl }, `/api/contracts/${id}`) };
}
