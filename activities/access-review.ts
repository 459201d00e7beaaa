import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AccessDecision, AccessReviewOpened } from '../domain/access-review';
import { requestWorkflowId } from '../domain/request';
import { requestStartDetails, requestSummary } from '../domain/request-metadata';
import type { Db } from '../prisma/database';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, peopleToMail, recipientSet } from '../records/mail/deliveries';
import { formatInstant } from '../records/mail/reader-time';
import { revocationOpened } from '../records/request-opening';
import { ItsmKind, ItsmState } from '../temporal-config/search-attributes';

export interface AccessReviewActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  temporal: Client;
}

export type AccessReviewMailKind = 'access-review-due' | 'access-review-reminder' | 'access-review-overdue';

type Texts = (c: { system: string; due: string; list: string }) => { subject: string; text: string };
const MAIL: Record<'en' | 'zh-CN', Record<AccessReviewMailKind, Texts>> = {
  en: {
    'access-review-due': (c) => ({ subject: `Access review of ${c.system}: confirm or revoke by ${c.due}`, text: `Please confirm or revoke each access to ${c.system} by ${c.due}:\n\n${c.list}` }),
    'access-review-reminder': (c) => ({ subject: `Reminder: access review of ${c.system} due ${c.due}`, text: `These accesses to ${c.system} still wait for your decision (due ${c.due}):\n\n${c.list}` }),
    'access-review-overdue': (c) => ({ subject: `ESCALATED: access review of ${c.system} is overdue`, text: `The access review of ${c.system} was not completed by ${c.due}. Still undecided:\n\n${c.list}` }),
  },
  'zh-CN': {
    'access-review-due': (c) => ({ subject: `${c.system} 权限复核：请在 ${c.due} 之前确认或撤销`, text: `请在 ${c.due} 之前逐一确认或撤销以下 ${c.system} 的访问权限：\n\n${c.list}` }),
    'access-review-reminder': (c) => ({ subject: `提醒：${c.system} 权限复核将于 ${c.due} 到期`, text: `以下 ${c.system} 的访问权限仍待您决定（截止 ${c.due}）：\n\n${c.list}` }),
    'access-review-overdue': (c) => ({ subject: `已升级：${c.system} 权限复核已逾期`, text: `${c.system} 的权限复核未在 ${c.due} 之前完成。尚未决定：\n\n${c.list}` }),
  },
};

/**
 * Starts the revocation of one entitlement as a request (`request-<id>`), or finds it started: the id comes from
 * the caller, so a retried activity or a repeated call opens one revocation, not two.
 */
export async function startRevocation(deps: { prisma: Db; temporal: Client; publicUrl: string }, revocation: { requestId: string; entitlementId: string; requesterId: string; reason: string; taskQueue: string }) {
  const { prisma, temporal } = deps;
  if (await prisma.serviceRequest.findUnique({ where: { id: revocation.requestId } })) return;
  const opened = await revocationOpened(prisma, { ...revocation, now: Date.now() });
  const requester = await prisma.user.findUniqueOrThrow({ where: { id: revocation.requesterId } });
  try {
    await temporal.workflow.start('requestFulfilment', {
      workflowId: requestWorkflowId(opened.requestId),
      taskQueue: revocation.taskQueue,
      args: [opened],
      typedSearchAttributes: [
        { key: ItsmKind, value: 'request' },
        { key: ItsmState, value: 'fulfilment' },
      ],
      staticSummary: requestSummary(opened, requester.name),
      staticDetails: requestStartDetails(opened, `${deps.publicUrl}/api/requests/${opened.requestId}`, requester.name),
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** The access a review covers: every unrevoked entitlement to its system granted by the time it opened. */
function reviewedEntitlements(prisma: Db, review: { ciId: string; createdAt: Date }) {
  return prisma.entitlement.findMany({ where: { ciId: review.ciId, revokedAt: null, since: { lte: review.createdAt } }, include: { user: true }, orderBy: [{ since: 'asc' }, { id: 'asc' }] });
}

export function createAccessReviewActivities(deps: AccessReviewActivityDeps) {
  const { prisma, mailer, publicUrl } = deps;
  return {
    /** Every system (configuration item) someone holds unrevoked access to. */
    async systemsToRecertify(): Promise<{ id: string; name: string }[]> {
      return prisma.configurationItem.findMany({ where: { entitlements: { some: { revokedAt: null } } }, select: { id: true, name: true }, orderBy: { code: 'asc' } });
    },

    /** This year's review of one system, keyed by its workflow, with the entitlements it covers as they stand now. */
    async openAccessReview({ workflowId, ciId, at, reviewSeconds }: { workflowId: string; ciId: string; at: string; reviewSeconds: number }): Promise<AccessReviewOpened> {
      const ci = await prisma.configurationItem.findUniqueOrThrow({ where: { id: ciId }, include: { owner: true } });
      const ownerId = ci.owner && !ci.owner.deactivatedAt ? ci.owner.id : null;
      const review = await prisma.accessReview.upsert({ where: { workflowId }, update: {}, create: { workflowId, ciId, ownerId, createdAt: new Date(at), dueAt: new Date(Date.parse(at) + reviewSeconds * 1000) } });
      const entitlements = await reviewedEntitlements(prisma, review);
      return { reviewId: review.id, system: ci.name, ownerId: review.ownerId, dueAt: review.dueAt.toISOString(), entitlements: entitlements.map((e) => ({ id: e.id, userId: e.userId, userName: e.user.name, role: e.role })) };
    },

    async recordAccessReview({ reviewId, escalated }: { reviewId: string; escalated: boolean }) {
      await prisma.accessReview.update({ where: { id: reviewId }, data: { escalated } });
    },

    /** One decision (kept once per entitlement), the review's state with it; a revoke also opens its revocation request. */
    async recordAccessDecision(decided: { reviewId: string; entitlementId: string; decision: AccessDecision; actorId: string; at: string; revocationRequestId: string | null; state: string; taskQueue: string }) {
      const { reviewId, entitlementId, decision, actorId, at, revocationRequestId, state } = decided;
      await prisma.$transaction([
        prisma.accessReviewDecision.createMany({ skipDuplicates: true, data: { reviewId, entitlementId, decision, decidedById: actorId, decidedAt: new Date(at), revocationRequestId } }),
        prisma.accessReview.update({ where: { id: reviewId }, data: { state, ...(state === 'done' ? { doneAt: new Date(at) } : {}) } }),
      ]);
      if (revocationRequestId) await startRevocation(deps, { requestId: revocationRequestId, entitlementId, requesterId: actorId, reason: 'revoked at the yearly access review', taskQueue: decided.taskQueue });
    },

    /** To the system's owner, or the managers (without an owner, or when the deadline has passed). */
    async sendAccessReviewMail({ key, reviewId, kind, to }: { key: string; reviewId: string; kind: AccessReviewMailKind; to: ('owner' | 'managers')[] }) {
      const review = await prisma.accessReview.findUniqueOrThrow({ where: { id: reviewId }, include: { ci: true, decisions: true } });
      const entitlements = await reviewedEntitlements(prisma, review);
      const undecided = entitlements.filter((e) => !review.decisions.some((d) => d.entitlementId === e.id));
      const recipients = recipientSet();
      if (to.includes('owner') && review.ownerId) recipients.add(await prisma.user.findUnique({ where: { id: review.ownerId } }));
      if (to.includes('managers')) for (const manager of (await peopleToMail(prisma, 'managers')).recipients) recipients.add(manager);
      const list = undecided.map((e) => `- ${e.user.name}: ${e.role} (${e.id})`).join('\n');
      for (const recipient of recipients.values()) {
        const locale = recipient.locale === 'zh-CN' ? 'zh-CN' : 'en';
        const mail = MAIL[locale][kind]({ system: review.ci.name, due: formatInstant(review.dueAt, recipient), list });
        await deliverOnce(prisma, mailer, {
          idempotencyKey: `${key}:${recipient.email}`,
          recipient,
          kind,
          subject: mail.subject,
          text: `${mail.text}\n\n${publicUrl}/api/access-reviews/${review.id}\n`,
          headers: { 'X-Itsm-Access-Review-Id': review.id },
        });
      }
    },
  };
}

export type AccessReviewActivities = ReturnType<typeof createAccessReviewActivities>;
