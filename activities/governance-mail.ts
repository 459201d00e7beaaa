import type { Db } from '../prisma/database';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import { localiseInstants } from '../records/mail/reader-time';

export interface GovernanceMailDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
}

/** Mail for the governance processes (audits, corrective actions, continuity tests, competence reviews). */
export function createGovernanceMailActivities({ prisma, mailer, publicUrl }: GovernanceMailDeps) {
  return {
    /** Plain-text governance mail (audits, corrective actions), once per key and recipient, with its due dates in the recipient's zone. */
    async sendGovernanceMail({ key, kind, toUserIds, subject, text, headers }: { key: string; kind: string; toUserIds: string[] | 'managers'; subject: string; text: string; headers: Record<string, string> }) {
      const users = await prisma.user.findMany({ where: toUserIds === 'managers' ? { roles: { has: 'manager' } } : { id: { in: toUserIds } } });
      const recipients = recipientSet();
      for (const user of users) recipients.add(user);
      for (const recipient of recipients.values()) {
        await deliverOnce(prisma, mailer, {
          idempotencyKey: `${key}:${recipient.email}`,
          recipient,
          kind,
          subject: localiseInstants(subject, recipient),
          text: `${localiseInstants(text, recipient)}\n\n${publicUrl}\n`,
          headers,
        });
      }
    },
  };
}

export type GovernanceMailActivities = ReturnType<typeof createGovernanceMailActivities>;
