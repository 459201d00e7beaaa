import type { ActionOffer } from '../domain/action-links';
import { requestReference, type RequestOpened } from '../domain/request';
import { answersText, type RequestForm } from '../domain/request-form';
import type { TaskStatus } from '../domain/request-status';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, peopleToMail, recipientSet } from '../records/mail/deliveries';
import { GROUP_PEOPLE } from '../records/mail/incident-recipients';
import { offeredLinks } from '../records/mail/offered-links';
import { formatInstant } from '../records/mail/reader-time';
import { writeRequestRecord } from '../records/requests';

export interface RequestActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
}

/** Named people, and groups whose active members (and lead) are mailed: a task nobody has taken still reaches someone. */
export interface RequestAudience {
  userIds?: string[];
  groupIds?: string[];
}

export interface RequestSnapshot {
  state: string;
  responseDueAt: string | null;
  fulfilmentDueAt: string | null;
  respondedAt: string | null;
  fulfilledAt: string | null;
  closedAt: string | null;
  responseBreached: boolean;
  fulfilmentBreached: boolean;
  tasks: TaskStatus[];
}

interface RequestEventRecord {
  id: string;
  type: string;
  actorId: string | null;
  at: string;
  fromState: string;
  toState: string;
  data: Record<string, unknown>;
}

export type RequestMailKind =
  | 'request-submitted'
  | 'approval-request'
  | 'approval-reminder'
  | 'approval-escalation'
  | 'request-rejected'
  | 'task-assigned'
  | 'ola-reminder'
  | 'ola-breach'
  | 'sla-breach'
  | 'info-needed'
  | 'info-provided'
  | 'request-fulfilled'
  | 'request-cancelled';

interface MailFacts {
  reference: string;
  item: string;
  answers: string;
  task: string;
  due: string;
  text: string;
}
type Texts = (c: MailFacts) => { subject: string; text: string };

const MAIL: Record<'en' | 'zh-CN', Record<RequestMailKind, Texts>> = {
  en: {
    'request-submitted': (c) => ({ subject: `[${c.reference}] your request for ${c.item} is recorded`, text: `Your request ${c.reference} for ${c.item} is recorded.\n${c.answers}` }),
    'approval-request': (c) => ({ subject: `[${c.reference}] approval needed: ${c.item}`, text: `Please approve or reject request ${c.reference} for ${c.item} by ${c.due}.\n${c.answers}` }),
    'approval-reminder': (c) => ({ subject: `[${c.reference}] reminder: approval needed by ${c.due}`, text: `Request ${c.reference} for ${c.item} still waits for your decision (due ${c.due}).` }),
    'approval-escalation': (c) => ({ subject: `[${c.reference}] ESCALATED: approval overdue`, text: `Request ${c.reference} for ${c.item} was not decided by ${c.due}. ${c.text}` }),
    'request-rejected': (c) => ({ subject: `[${c.reference}] your request was rejected`, text: `Your request ${c.reference} for ${c.item} was rejected: ${c.text}` }),
    'task-assigned': (c) => ({ subject: `[${c.reference}] task for your group: ${c.task}`, text: `Task "${c.task}" of request ${c.reference} (${c.item}) is for your group, due ${c.due} (OLA).\n${c.answers}` }),
    'ola-reminder': (c) => ({ subject: `[${c.reference}] reminder: task "${c.task}" due ${c.due}`, text: `Task "${c.task}" of request ${c.reference} must be done by ${c.due} (OLA).` }),
    'ola-breach': (c) => ({ subject: `[${c.reference}] ESCALATED: task "${c.task}" missed its OLA`, text: `Task "${c.task}" of request ${c.reference} (${c.item}) was not done by ${c.due}.` }),
    'sla-breach': (c) => ({ subject: `[${c.reference}] SLA BREACHED: ${c.text} target missed`, text: `Request ${c.reference} for ${c.item} missed its ${c.text} target (${c.due}).` }),
    'info-needed': (c) => ({ subject: `[${c.reference}] more information needed`, text: `To go on with your request ${c.reference} for ${c.item} we need to know:\n\n${c.text}\n\nAnswer in the application; the request waits until you do.` }),
    'info-provided': (c) => ({ subject: `[${c.reference}] the requester answered`, text: `The requester of ${c.reference} (${c.item}) answered:\n\n${c.text}` }),
    'request-fulfilled': (c) => ({ subject: `[${c.reference}] your request is fulfilled: please confirm`, text: `Your request ${c.reference} for ${c.item} is fulfilled. Please confirm that you received what you asked for; otherwise it closes by itself on ${c.due}.` }),
    'request-cancelled': (c) => ({ subject: `[${c.reference}] request cancelled`, text: `Request ${c.reference} for ${c.item} was cancelled: ${c.text}. Nothing more is needed from you.` }),
  },
  'zh-CN': {
    'request-submitted': (c) => ({ subject: `[${c.reference}] 您的"${c.item}"申请已登记`, text: `您的申请 ${c.reference}（${c.item}）已登记。\n${c.answers}` }),
    'approval-request': (c) => ({ subject: `[${c.reference}] 待审批：${c.item}`, text: `请在 ${c.due} 之前批准或拒绝申请 ${c.reference}（${c.item}）。\n${c.answers}` }),
    'approval-reminder': (c) => ({ subject: `[${c.reference}] 提醒：请在 ${c.due} 之前审批`, text: `申请 ${c.reference}（${c.item}）仍在等待您的决定（截止 ${c.due}）。` }),
    'approval-escalation': (c) => ({ subject: `[${c.reference}] 已升级：审批超时`, text: `申请 ${c.reference}（${c.item}）未在 ${c.due} 之前完成审批。${c.text}` }),
    'request-rejected': (c) => ({ subject: `[${c.reference}] 您的申请被拒绝`, text: `您的申请 ${c.reference}（${c.item}）被拒绝：${c.text}` }),
    'task-assigned': (c) => ({ subject: `[${c.reference}] 您所在组的任务：${c.task}`, text: `申请 ${c.reference}（${c.item}）的任务"${c.task}"由您所在组处理，OLA 截止 ${c.due}。\n${c.answers}` }),
    'ola-reminder': (c) => ({ subject: `[${c.reference}] 提醒：任务"${c.task}"将于 ${c.due} 到期`, text: `申请 ${c.reference} 的任务"${c.task}"须在 ${c.due} 之前完成（OLA）。` }),
    'ola-breach': (c) => ({ subject: `[${c.reference}] 已升级：任务"${c.task}"超出 OLA`, text: `申请 ${c.reference}（${c.item}）的任务"${c.task}"未在 ${c.due} 之前完成。` }),
    'sla-breach': (c) => ({ subject: `[${c.reference}] SLA 已违约：${c.text === 'response' ? '响应' : '交付'}目标未达成`, text: `申请 ${c.reference}（${c.item}）未达成${c.text === 'response' ? '响应' : '交付'}目标（${c.due}）。` }),
    'info-needed': (c) => ({ subject: `[${c.reference}] 需要补充信息`, text: `为继续处理您的申请 ${c.reference}（${c.item}），我们需要了解：\n\n${c.text}\n\n请在系统中回复；在您回复之前申请将暂停。` }),
    'info-provided': (c) => ({ subject: `[${c.reference}] 申请人已回复`, text: `申请 ${c.reference}（${c.item}）的申请人回复：\n\n${c.text}` }),
    'request-fulfilled': (c) => ({ subject: `[${c.reference}] 您的申请已完成：请确认`, text: `您的申请 ${c.reference}（${c.item}）已完成。请确认您已收到所申请的内容；否则将于 ${c.due} 自动关闭。` }),
    'request-cancelled': (c) => ({ subject: `[${c.reference}] 申请已取消`, text: `申请 ${c.reference}（${c.item}）已取消：${c.text}。无需您再处理。` }),
  },
};

const date = (iso: string | null) => (iso ? new Date(iso) : null);

export function createRequestActivities({ prisma, mailer, publicUrl, actionSecret }: RequestActivityDeps) {
  return {
    async openRequestRecord(opened: RequestOpened): Promise<void> {
      await writeRequestRecord(prisma, opened);
    },

    /**
     * The request's columns, its tasks and the event that explains them, in one transaction; the event's key
     * makes a retry a no-op. A fulfilled access request also records the entitlement it granted, a fulfilled
     * revocation marks the one it took away.
     */
    async recordRequest({ requestId, event, snapshot, grant, revoke }: { requestId: string; event: RequestEventRecord; snapshot: RequestSnapshot; grant?: { approvedById: string | null; grantedById: string | null }; revoke?: { entitlementId: string } }): Promise<void> {
      if (await prisma.requestEvent.findUnique({ where: { id: event.id } })) return;
      const { tasks, ...columns } = snapshot;
      // Only a grant needs the request's item (the system and role it grants).
      const request = grant ? await prisma.serviceRequest.findUniqueOrThrow({ where: { id: requestId }, include: { item: true } }) : null;
      await prisma.$transaction([
        prisma.serviceRequest.update({
          where: { id: requestId },
          data: {
            ...columns,
            responseDueAt: date(columns.responseDueAt),
            fulfilmentDueAt: date(columns.fulfilmentDueAt),
            respondedAt: date(columns.respondedAt),
            fulfilledAt: date(columns.fulfilledAt),
            closedAt: date(columns.closedAt),
          },
        }),
        ...tasks.map((task) =>
          prisma.requestTask.update({
            where: { id: task.id },
            data: { state: task.state, assigneeId: task.assigneeId, openedAt: date(task.openedAt), olaDueAt: date(task.olaDueAt), completedAt: date(task.completedAt), olaBreached: task.olaBreached, escalationLevel: task.escalationLevel },
          }),
        ),
        prisma.requestEvent.create({ data: { ...event, requestId, at: new Date(event.at), data: event.data as Prisma.InputJsonObject } }),
        ...(grant && request?.item.ciId && request.item.accessRole
          ? [
              prisma.entitlement.createMany({
                skipDuplicates: true,
                data: { userId: request.requesterId, ciId: request.item.ciId, role: request.item.accessRole, itemId: request.itemId, requestId, approvedById: grant.approvedById, grantedById: grant.grantedById, since: new Date(event.at) },
              }),
            ]
          : []),
        ...(revoke ? [prisma.entitlement.updateMany({ where: { id: revoke.entitlementId, revokedAt: null }, data: { revokedAt: new Date(event.at) } })] : []),
      ]);
    },

    /** With an offer, each named recipient also gets their own link to take the step (decide, confirm). */
    async sendRequestMail({ key, requestId, kind, to, offer, taskId, text, dueAt: approvalDueAt }: { key: string; requestId: string; kind: RequestMailKind; to: RequestAudience; offer?: ActionOffer; taskId?: string; text?: string; dueAt?: string }): Promise<void> {
      const request = await prisma.serviceRequest.findUniqueOrThrow({ where: { id: requestId }, include: { item: true, tasks: true } });
      const named = await prisma.user.findMany({ where: { id: { in: to.userIds ?? [] } }, orderBy: { email: 'asc' } });
      const groups = await prisma.group.findMany({ where: { id: { in: to.groupIds ?? [] } }, include: GROUP_PEOPLE });
      const recipients = recipientSet();
      for (const user of named) recipients.add(user);
      for (const group of groups) {
        for (const member of group.members) recipients.add(member.user);
        recipients.add(group.lead);
      }
      // Nobody left to act (no manager, an empty group): the managers hear of it rather than no one.
      if (recipients.values().length === 0) for (const manager of (await peopleToMail(prisma, 'managers')).recipients) recipients.add(manager);
      const task = request.tasks.find((t) => t.id === taskId);
      const reference = requestReference(request.number);
      const linkFor = offeredLinks({ actionSecret, publicUrl }, offer, named);
      const autoCloseAt = request.fulfilledAt ? new Date(request.fulfilledAt.getTime() + request.item.autoCloseAfterSeconds * 1000) : null;
      for (const recipient of recipients.values()) {
        const locale = recipient.locale === 'zh-CN' ? 'zh-CN' : 'en';
        const idempotencyKey = `${key}:${recipient.email}`;
        const dueAt = approvalDueAt ? new Date(approvalDueAt) : kind === 'request-fulfilled' ? autoCloseAt : task ? task.olaDueAt : request.fulfilmentDueAt;
        const facts: MailFacts = {
          reference,
          item: request.item.name,
          answers: answersText(request.item.form as unknown as RequestForm, request.answers as Record<string, string>),
          task: task?.name ?? '',
          due: dueAt ? formatInstant(dueAt, recipient) : '–',
          text: text ?? '',
        };
        const mail = MAIL[locale][kind](facts);
        await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind,
          subject: mail.subject,
          text: `${mail.text}${await linkFor(recipient, idempotencyKey)}\n\n${publicUrl}/api/requests/${request.id}\n`,
          headers: { 'X-Itsm-Request': reference, 'X-Itsm-Request-Id': request.id, ...(task ? { 'X-Itsm-Request-Task': task.id } : {}) },
        });
      }
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
