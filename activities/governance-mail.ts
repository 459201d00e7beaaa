import type { ActionOffer } from '../domain/action-links';
import type { Db } from '../prisma/database';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, peopleToMail } from '../records/mail/deliveries';
import { offeredLinks } from '../records/mail/offered-links';
import { localiseInstants } from '../records/mail/reader-time';

export interface GovernanceMailDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
}

/** Mail for the governance processes (audits, corrective actions, continuity tests, competence reviews). */
export function createGovernanceMailActivities({ prisma, mailer, publicUrl, actionSecret }: GovernanceMailDeps) {
  return {
    /**
     * Plain-text governance mail, once per key and recipient, with its due dates in the recipient's zone; with
     * an offer, each recipient also gets their own link to take the step.
     */
    async sendGovernanceMail({ key, kind, toUserIds, subject, text, headers, offer }: { key: string; kind: string; toUserIds: string[] | 'managers'; subject: string; text: string; headers: Record<string, string>; offer?: ActionOffer }) {
      const { users, recipients } = await peopleToMail(prisma, toUserIds);
      const linkFor = offeredLinks({ actionSecret, publicUrl }, offer, users);
      for (const recipient of recipients) {
        const idempotencyKey = `${key}:${recipient.email}`;
        await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind,
          subject: localiseInstants(subject, recipient),
          text: `${localiseInstants(text, recipient)}${await linkFor(recipient, idempotencyKey)}\n\n${publicUrl}\n`,
          headers,
        });
      }
    },
  };
}

export type GovernanceMailActivities = ReturnType<typeof createGovernanceMailActivities>;
