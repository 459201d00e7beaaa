// The mail a record's workflow sent, as its Temporal UI details list it: who was reminded, escalated to or
// told, by role, and when. Kept in the workflow's memory; the mail itself is recorded by its activity.
import { mailLabel, utcInstant, type DetailsSection, type Fact } from './workflow-metadata';

export interface MailNotice {
  at: number;
  kind: string;
  /** Who by role: `requester`, `CAB chair, 2 CAB approvers`, `release authorisers`. */
  audience: string;
}

const NOTICES_SHOWN = 8;

const kindText = (kind: string) => kind.replace(/-/g, ' ');


/** `mail: approval reminder → 2 CAB approvers`: the mail activity's name in the timeline. */
export const mailSummary = (notice: Pick<MailNotice, 'kind' | 'audience'>) => mailLabel(kindText(notice.kind), notice.audience);

/** The last mail of `kinds`, e.g. the escalation: who it reached and when. */
export function lastNotice(notices: MailNotice[], kinds: string[]): MailNotice | null {
  return [...notices].reverse().find((notice) => kinds.includes(notice.kind)) ?? null;
}

/** `1 → CAB chair at 2026-12-01 10:00:05 UTC`: the level and who the last escalation reached. */
export function escalationText(level: number, notices: MailNotice[], kinds: string[]): string | number {
  const escalated = lastNotice(notices, kinds);
  return escalated ? `${level} → ${escalated.audience} at ${utcInstant(escalated.at)}` : level;
}

/** The details' "Notified" table: the last few mails, oldest first. */
export function noticesSection(notices: MailNotice[]): DetailsSection {
  return { heading: 'Notified', facts: notices.slice(-NOTICES_SHOWN).map((notice): Fact => [utcInstant(notice.at)!, `${kindText(notice.kind)} → ${notice.audience}`]) };
}
