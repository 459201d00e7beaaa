import type { ActionOffer } from '../domain/action-links';
import { complaintReference, complaintWorkflowId, type ComplaintOpened } from '../domain/complaint';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import { offeredLinks } from '../records/mail/offered-links';
import { formatInstant } from '../records/mail/reader-time';

export interface ComplaintActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
}

/** Who a complaint mail goes to; with no handler yet, the handler's mail goes to the managers. */
export type ComplaintMailTarget = 'complainant' | 'handler' | 'managers' | 'admins';

interface ComplaintPatch {
  state?: string;
  handlerId?: string;
  escalationLevel?: number;
  outcome?: string;
  resolution?: string;
  closedAt?: string;
  closedById?: string;
}

interface ComplaintEventRecord {
  id: string;
  type: string;
  actorId: string | null;
  at: string;
  data: Record<string, unknown>;
}

export async function nextComplaintNumber(db: Db): Promise<number> {
  const [{ number }] = await db.$queryRaw<{ number: number }[]>`SELECT nextval(pg_get_serial_sequence('"Complaint"', 'number'))::int AS number`;
  return number;
}

/**
 * The complaint's row and its 'received' event. The API and the workflow both write them, possibly at once, so
 * these are inserts that skip what exists (an upsert reads first and can collide).
 */
export async function writeComplaintRecord(db: Db, opened: ComplaintOpened) {
  const at = new Date(opened.openedAt);
  await db.$transaction([
    db.complaint.createMany({
      skipDuplicates: true,
      data: {
        id: opened.complaintId,
        number: opened.number,
        workflowId: complaintWorkflowId(opened.complaintId),
        subject: opened.subject,
        description: opened.description,
        severity: opened.severity,
        state: opened.handlerId ? 'investigating' : 'received',
        complainantId: opened.complainantId,
        serviceId: opened.serviceId,
        incidentId: opened.incidentId,
        handlerId: opened.handlerId,
        loggedById: opened.loggedById,
        dueAt: new Date(opened.dueAt),
        createdAt: at,
      },
    }),
    db.complaintEvent.createMany({
      skipDuplicates: true,
      data: { id: `${opened.complaintId}:0:received`, complaintId: opened.complaintId, type: 'received', actorId: opened.loggedById, at, data: { severity: opened.severity, handlerId: opened.handlerId } },
    }),
  ]);
}

type Texts = (c: { reference: string; subject: string; due: string; level?: number; outcome: string; resolution: string }) => { subject: string; text: string };
const OUTCOME_ZH: Record<string, string> = { upheld: '投诉成立', partially_upheld: '部分成立', not_upheld: '投诉不成立' };

export type ComplaintMailKind = 'complaint-received' | 'complaint-assigned' | 'complaint-reminder' | 'complaint-escalation' | 'complaint-closed';

const MAIL: Record<'en' | 'zh-CN', Record<ComplaintMailKind, Texts>> = {
  en: {
    'complaint-received': (c) => ({ subject: `[${c.reference}] we have recorded your complaint`, text: `Your complaint "${c.subject}" is recorded as ${c.reference}. We aim to close it by ${c.due} and will tell you the outcome.` }),
    'complaint-assigned': (c) => ({ subject: `[${c.reference}] complaint to handle: ${c.subject}`, text: `Complaint ${c.reference} is to be handled and formally closed by ${c.due}.` }),
    'complaint-reminder': (c) => ({ subject: `[${c.reference}] reminder: complaint due ${c.due}`, text: `Complaint ${c.reference} "${c.subject}" must be closed by ${c.due}.` }),
    'complaint-escalation': (c) => ({ subject: `[${c.reference}] ESCALATED (level ${c.level}): complaint not handled in time`, text: `Complaint ${c.reference} "${c.subject}" was not closed by its target ${c.due}.` }),
    'complaint-closed': (c) => ({ subject: `[${c.reference}] your complaint is closed`, text: `Your complaint "${c.subject}" (${c.reference}) is closed. Outcome: ${c.outcome.replace('_', ' ')}.\n\n${c.resolution}` }),
  },
  'zh-CN': {
    'complaint-received': (c) => ({ subject: `[${c.reference}] 您的投诉已登记`, text: `您的投诉"${c.subject}"已登记为 ${c.reference}。我们将在 ${c.due} 之前处理完毕并告知结果。` }),
    'complaint-assigned': (c) => ({ subject: `[${c.reference}] 待处理投诉：${c.subject}`, text: `投诉 ${c.reference} 须在 ${c.due} 之前处理并正式关闭。` }),
    'complaint-reminder': (c) => ({ subject: `[${c.reference}] 提醒：投诉将于 ${c.due} 到期`, text: `投诉 ${c.reference}"${c.subject}"须在 ${c.due} 之前关闭。` }),
    'complaint-escalation': (c) => ({ subject: `[${c.reference}] 已升级（第 ${c.level} 级）：投诉未按时处理`, text: `投诉 ${c.reference}"${c.subject}"未在目标时间 ${c.due} 之前关闭。` }),
    'complaint-closed': (c) => ({ subject: `[${c.reference}] 您的投诉已关闭`, text: `您的投诉"${c.subject}"（${c.reference}）已关闭。结果：${OUTCOME_ZH[c.outcome] ?? c.outcome}。\n\n${c.resolution}` }),
  },
};

export function createComplaintActivities({ prisma, mailer, publicUrl, actionSecret }: ComplaintActivityDeps) {
  return {
    async openComplaintRecord(opened: ComplaintOpened): Promise<void> {
      await writeComplaintRecord(prisma, opened);
    },

    /** The record's new columns and the event that explains them, in one transaction; the event id makes a retry a no-op. */
    async recordComplaint({ complaintId, patch, event }: { complaintId: string; patch: ComplaintPatch; event: ComplaintEventRecord }): Promise<void> {
      if (await prisma.complaintEvent.findUnique({ where: { id: event.id } })) return;
      const { closedAt, ...columns } = patch;
      await prisma.$transaction([
        prisma.complaint.update({ where: { id: complaintId }, data: { ...columns, ...(closedAt ? { closedAt: new Date(closedAt) } : {}) } }),
        prisma.complaintEvent.create({ data: { ...event, complaintId, at: new Date(event.at), data: event.data as Prisma.InputJsonObject } }),
      ]);
    },

    /** With an offer, each recipient also gets their own link to take the step (the close). */
    async sendComplaintMail({ key, complaintId, kind, to, level, offer }: { key: string; complaintId: string; kind: ComplaintMailKind; to: ComplaintMailTarget[]; level?: number; offer?: ActionOffer }): Promise<void> {
      const complaint = await prisma.complaint.findUniqueOrThrow({ where: { id: complaintId }, include: { complainant: true, handler: true } });
      const roles = [...(to.includes('managers') || (to.includes('handler') && !complaint.handler) ? ['manager' as const] : []), ...(to.includes('admins') ? ['admin' as const] : [])];
      const byRole = roles.length ? await prisma.user.findMany({ where: { roles: { hasSome: roles } }, orderBy: { email: 'asc' } }) : [];
      const recipients = recipientSet();
      if (to.includes('complainant')) recipients.add(complaint.complainant);
      if (to.includes('handler')) recipients.add(complaint.handler);
      for (const user of byRole) recipients.add(user);
      const reference = complaintReference(complaint.number);
      const linkFor = offeredLinks({ actionSecret, publicUrl }, offer, [complaint.complainant, ...(complaint.handler ? [complaint.handler] : []), ...byRole]);
      for (const recipient of recipients.values()) {
        const locale = recipient.locale === 'zh-CN' ? 'zh-CN' : 'en';
        const idempotencyKey = `${key}:${recipient.email}`;
        const mail = MAIL[locale][kind]({ reference, subject: complaint.subject, due: formatInstant(complaint.dueAt, recipient), level, outcome: complaint.outcome ?? '', resolution: complaint.resolution ?? '' });
        await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind,
          subject: mail.subject,
          text: `${mail.text}${await linkFor(recipient, idempotencyKey)}\n\n${publicUrl}/api/complaints/${complaint.id}\n`,
          headers: { 'X-Itsm-Complaint': reference, 'X-Itsm-Complaint-Id': complaint.id },
        });
      }
    },
  };
}

export type ComplaintActivities = ReturnType<typeof createComplaintActivities>;
