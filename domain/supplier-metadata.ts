// What a manager reads about a supplier contract's review and renewal reminder in the Temporal UI: the line in
// the workflow list, the contract's key facts with its API link, and the review's live details (state,
// assessment deadline, escalation, next deadline). Pure, so the API, the Schedules and the workflow agree.
import { dueText, escalationText, nextDeadlineText } from './deadline-facts';
import { deadlineTimerSummary, ESCALATED_TO, ESCALATION_LEVEL, type DeadlineStanding, type StartMetadata } from './governance-metadata';
import type { ReviewOutcome, SupplierReviewState } from './supplier';
import { detailsMarkdown, summaryLine, utcInstant, type Fact } from './workflow-metadata';

export const SUPPLIER_REVIEW = 'supplier review';

/** What the starter knows of the contract; absent names fall back to the contract's reference. */
export interface ContractFacts {
  reference: string;
  title?: string | null;
  supplier?: string | null;
  owner?: string | null;
  /** A Date, or its ISO 8601 text once it has passed through an activity's result. */
  endsOn?: Date | string | null;
  noticeDays?: number | null;
  /** The contract in the API. */
  apiUrl?: string | null;
}

export type ReviewReason = 'yearly' | 'significant-change';

const REASON_LABEL: Record<ReviewReason, string> = { yearly: 'yearly review', 'significant-change': 'review on a significant change' };

const day = (value: Date | string | null | undefined) => (value ? (typeof value === 'string' ? value : value.toISOString()).slice(0, 10) : null);
const links = (apiUrl: string | null | undefined) => (apiUrl ? [{ label: 'API record', url: apiUrl }] : []);

function contractFacts(contract: ContractFacts): Fact[] {
  return [
    ['Supplier', contract.supplier],
    ['Contract', contract.title ? `${contract.reference} · ${contract.title}` : contract.reference],
    ['Contract owner', contract.owner],
    ['Contract ends', day(contract.endsOn)],
  ];
}

/** `Hosting Ltd · HOST-7 · yearly review`, with the contract's facts and the review's rules. */
export function supplierReviewStart(contract: ContractFacts, reason: ReviewReason): StartMetadata {
  return {
    staticSummary: summaryLine([contract.supplier, contract.reference, REASON_LABEL[reason]]),
    staticDetails: detailsMarkdown(
      `Supplier ${REASON_LABEL[reason]}: ${contract.supplier ?? contract.reference}`,
      [
        {
          facts: [
            ...contractFacts(contract),
            ['Reason', REASON_LABEL[reason]],
            ['Assessed by', 'the contract owner (or a manager), by the assessment deadline'],
            ['Escalation', `level ${ESCALATION_LEVEL} → ${ESCALATED_TO} when the deadline passes`],
          ],
        },
      ],
      links(contract.apiUrl),
    ),
  };
}

/** `Hosting Ltd · HOST-7 · renewal reminder`: the one-off run on the day the notice period starts. */
export function contractRenewalStart(contract: ContractFacts): StartMetadata {
  return {
    staticSummary: summaryLine([contract.supplier, contract.reference, 'renewal reminder']),
    staticDetails: detailsMarkdown(
      `Renewal reminder: ${contract.supplier ?? contract.reference}`,
      [{ facts: [...contractFacts(contract), ['Notice period', contract.noticeDays ? `${contract.noticeDays} days` : null], ['Told', 'the contract owner, once per contract end date']] }],
      links(contract.apiUrl),
    ),
  };
}

/** The live review, as the workflow knows it. */
export interface SupplierReviewProgress {
  state: SupplierReviewState;
  reason: ReviewReason;
  contract: ContractFacts;
  outcome: ReviewOutcome | null;
  /** The review in the API, known once its record is open. */
  apiUrl: string | null;
}

/** The workflow's current details: refreshed when the review opens, is reminded, escalates or is assessed. */
export function supplierReviewDetails(review: SupplierReviewProgress, { dueAt, escalatedAt, next, now }: Omit<DeadlineStanding, 'noun'>): string {
  const due = dueAt ? Date.parse(dueAt) : null;
  const open = review.state !== 'assessed';
  return detailsMarkdown(
    `Supplier ${REASON_LABEL[review.reason]}: ${review.contract.supplier ?? review.contract.reference}`,
    [
      { facts: [['State', review.state], ...contractFacts(review.contract), ['Outcome', review.outcome]] },
      {
        heading: 'Deadline',
        facts: [
          ['Assessment due', open ? dueText(due, now) : utcInstant(due)],
          ['Escalation', escalationText(escalatedAt === null ? 0 : ESCALATION_LEVEL, escalatedAt === null ? null : `${ESCALATED_TO}, told ${utcInstant(escalatedAt)}`)],
          ['Next deadline', nextDeadlineText(next && { label: deadlineTimerSummary(SUPPLIER_REVIEW, next), at: next.at }, now)],
        ],
      },
    ],
    links(review.apiUrl),
  );
}
