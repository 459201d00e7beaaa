import { createHash } from 'node:crypto';
import type { Db } from '../../prisma/database';
import { countMail } from '../../workers/metrics';
import { operatorLog } from '../../config/logger';
import type { Mailer } from './mailer';

export interface Recipient {
  email: string;
  locale: string;
  /** IANA zone in which the reader sees times. */
  timeZone: string;
}

export interface Delivery {
  /** Unique per (notification, recipient). */
  idempotencyKey: string;
  recipient: Recipient;
  kind: string;
  subject: string;
  text: string;
  html?: string;
  headers: Record<string, string>;
  /** The record the mail is about, for its notification history. */
  incidentId?: string;
  changeId?: string;
  problemId?: string;
}

/** Collects recipients once each (by address), in the order they were added. */
export function recipientSet() {
  const recipients = new Map<string, Recipient>();
  return {
    /** A deactivated person is skipped: their mail and links would reach nobody who can still act. */
    add(user: (Recipient & { deactivatedAt?: Date | null }) | null | undefined) {
      if (user && !user.deactivatedAt) recipients.set(user.email, { email: user.email, locale: user.locale, timeZone: user.timeZone });
    },
    values: () => [...recipients.values()],
  };
}

/** The people a mail goes to, named or every manager, with each active one's address once. */
export async function peopleToMail(prisma: Db, toUserIds: string[] | 'managers') {
  const users = await prisma.user.findMany({ where: toUserIds === 'managers' ? { roles: { has: 'manager' } } : { id: { in: toUserIds } } });
  const recipients = recipientSet();
  for (const user of users) recipients.add(user);
  return { users, recipients: recipients.values() };
}

/** What a log line names a mail by: its record, never its recipient. */
function recordOf({ incidentId, changeId, problemId, kind }: Delivery): string {
  if (incidentId) return `incident ${incidentId}`;
  if (changeId) return `change ${changeId}`;
  return problemId ? `problem ${problemId}` : `a ${kind} record`;
}

/**
 * Sends one mail at most once: the row is recorded before the hand-off and marked sent after, so a retried
 * activity skips every mail already recorded as sent.
 */
export async function deliverOnce(prisma: Db, mailer: Mailer, delivery: Delivery): Promise<'sent' | 'skipped'> {
  const { idempotencyKey, recipient } = delivery;
  const existing = await prisma.notification.findUnique({ where: { idempotencyKey } });
  if (existing?.status === 'sent') return 'skipped';
  await prisma.notification.upsert({
    where: { idempotencyKey },
    update: { attempts: { increment: 1 } },
    create: {
      idempotencyKey,
      incidentId: delivery.incidentId,
      changeId: delivery.changeId,
      problemId: delivery.problemId,
      kind: delivery.kind,
      recipient: recipient.email,
      locale: recipient.locale,
      subject: delivery.subject,
      attempts: 1,
    },
  });
  // SMTP has no transactions: a crash after the hand-off and before the row is marked sent resends the mail.
  // Its Message-ID is derived from the idempotency key, so mail systems can recognise the copy.
  const family = delivery.incidentId ? 'incident' : delivery.changeId ? 'change' : delivery.problemId ? 'problem' : 'other';
  const record = recordOf(delivery);
  const { messageId } = await mailer
    .send({
      messageId: `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@itsm.notifications>`,
      to: recipient.email,
      subject: delivery.subject,
      text: delivery.text,
      html: delivery.html,
      headers: { 'X-Itsm-Idempotency-Key': idempotencyKey, 'X-Itsm-Kind': delivery.kind, ...delivery.headers },
    })
    .catch((error: unknown) => {
      countMail(family, 'failed');
      // The code only: the server's own text may quote the recipient's address.
      const { code, responseCode } = Object(error) as { code?: string; responseCode?: number };
      operatorLog().warn({ kind: delivery.kind, record, code, responseCode }, `mail failed: ${delivery.kind} about ${record} (${[code, responseCode].filter(Boolean).join(' ') || 'no code'})`);
      throw error;
    });
  countMail(family, 'sent');
  operatorLog().info({ kind: delivery.kind, record }, `mail sent: ${delivery.kind} about ${record}`);
  await prisma.notification.update({ where: { idempotencyKey }, data: { status: 'sent', messageId, sentAt: new Date() } });
  return 'sent';
}
