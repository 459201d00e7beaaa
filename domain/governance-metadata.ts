// What a manager reads in the Temporal UI about the governance records: the yearly audit (ISO/IEC 20000-1 9.2,
// 9.3), its corrective actions (10.1), competence reviews (7.2) and continuity tests (8.7.2). Each has one
// deadline, reminders before it and one escalation to the managers at it, so they share the wording of that
// deadline; each process adds the facts of its own record. Pure, so workflows and tests build the same text.
import type { DeadlineTimer } from './deadlines';
import { detailsMarkdown, humanDuration, summaryLine, utcInstant, type Fact } from './workflow-metadata';

/** Who hears of an overdue governance record: the managers, the one and only escalation level. */
export const ESCALATED_TO = 'managers';
export const ESCALATION_LEVEL = 1;

/** The UTC day a deadline falls on (`2027-02-01`): the summary line has no room for the time. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** `corrective action reminder`, `escalation level 1 → managers`: a deadline timer as the timeline names it. */
export function deadlineTimerSummary(noun: string, timer: DeadlineTimer): string {
  return timer.kind === 'reminder' ? `${noun} reminder` : `escalation level ${ESCALATION_LEVEL} → ${ESCALATED_TO}`;
}


/** Where a record's deadline stands when its details are written. */
export interface DeadlineStanding {
  noun: string;
  dueAt: string | null;
  /** When the managers were told it was overdue; null while it is not. */
  escalatedAt: number | null;
  /** The first timer still to fire; null once all fired or the record is done. */
  next: DeadlineTimer | null;
  now: number;
}

/** The deadline rows every governance record shows the same way. */
function deadlineFacts({ noun, dueAt, escalatedAt, next, now }: DeadlineStanding): Fact[] {
  const due = dueAt ? Date.parse(dueAt) : null;
  return [
    ['Due', utcInstant(due)],
    ['Remaining', due !== null && next ? humanDuration(due - now) : null],
    ['Escalation level', escalatedAt === null ? '0 (nobody escalated to)' : `${ESCALATION_LEVEL} → ${ESCALATED_TO}, told ${utcInstant(escalatedAt)}`],
    ['Next deadline', next ? `${deadlineTimerSummary(noun, next)} at ${utcInstant(next.at)}` : null],
    // Details are rewritten when the record moves, so "Remaining" is as of this instant.
    ['Updated', utcInstant(now)],
  ];
}

/** A record's current details: its own facts, then its deadline, then the API link when the process knows it. */
function recordDetails(title: string, facts: Fact[], deadline: DeadlineStanding, apiUrl: string | null | undefined): string {
  return detailsMarkdown(title, [{ facts }, { heading: 'Deadline', facts: deadlineFacts(deadline) }], apiUrl ? [{ label: 'API record', url: apiUrl }] : []);
}

/** What a child workflow starts with: the list line and the key facts with the API link. */
export interface StartMetadata {
  staticSummary: string;
  staticDetails: string;
}

function startMetadata(summary: (string | null | undefined)[], title: string, facts: Fact[], apiUrl: string | null | undefined): StartMetadata {
  return { staticSummary: summaryLine(summary), staticDetails: detailsMarkdown(title, [{ facts }], apiUrl ? [{ label: 'API record', url: apiUrl }] : []) };
}

// The yearly audit ---------------------------------------------------------------------------------------

export interface AuditFacts {
  state: string;
  periodStart?: string;
  periodEnd?: string;
  auditorId: string | null;
  findings: number;
  apiUrl?: string;
}

export function auditDetails(audit: AuditFacts, deadline: Omit<DeadlineStanding, 'noun'>): string {
  const period = audit.periodStart && audit.periodEnd ? `${dayOf(audit.periodStart)} to ${dayOf(audit.periodEnd)}` : null;
  return recordDetails(
    `Yearly internal audit${audit.periodEnd ? ` ${audit.periodEnd.slice(0, 4)}` : ''}`,
    [
      ['State', audit.state],
      ['Audited period', period],
      ['Auditor', audit.auditorId ?? 'not assigned yet'],
      ['Findings', audit.findings],
      ['Sign-off', 'a manager, by the management review deadline'],
    ],
    { noun: 'management review', ...deadline },
    audit.apiUrl,
  );
}

// Corrective actions --------------------------------------------------------------------------------------

export interface CorrectiveActionFacts {
  /** Where it comes from: `finding 8.6.1` of an audit, or `continuity test DESK: Fail over`. */
  source: string;
  title: string;
  owner: string;
  dueAt: string;
  apiUrl?: string;
}

/** `CA · finding 8.6.1 · Mei Chen · due 2027-02-01 · Resolution target missed on DESK` */
export function correctiveActionStart(action: CorrectiveActionFacts): StartMetadata {
  return startMetadata(
    ['CA', action.source, action.owner, `due ${dayOf(action.dueAt)}`, action.title],
    `Corrective action: ${action.title}`,
    [
      ['Raised by', action.source],
      ['Owner', action.owner],
      ['Due', utcInstant(Date.parse(action.dueAt))],
    ],
    action.apiUrl,
  );
}

export function correctiveActionDetails(action: { title: string; owner: string; state: string; apiUrl?: string }, deadline: Omit<DeadlineStanding, 'noun'>): string {
  return recordDetails(`Corrective action: ${action.title}`, [['State', action.state], ['Owner', action.owner]], { noun: 'corrective action', ...deadline }, action.apiUrl);
}

// Competence reviews and continuity tests ------------------------------------------------------------------

/** `Competence review · Mei Chen · 2027` */
export function competenceReviewStart(person: { name: string; apiUrl?: string }, year: number): StartMetadata {
  return startMetadata(['Competence review', person.name, String(year)], `Yearly competence review of ${person.name}, ${year}`, [['Person', person.name], ['Reviewed by', 'a manager other than the person']], person.apiUrl);
}

export function competenceReviewDetails(review: { person: string; state: string; apiUrl?: string }, deadline: Omit<DeadlineStanding, 'noun'>): string {
  return recordDetails(`Competence review of ${review.person}`, [['State', review.state], ['Person', review.person], ['Reviewed by', 'a manager other than the person']], { noun: 'competence review', ...deadline }, review.apiUrl);
}

/** `Continuity test · DESK: Fail over to the second site · 2027` */
export function continuityTestStart(plan: { title: string; apiUrl?: string }, year: number): StartMetadata {
  return startMetadata(['Continuity test', plan.title, String(year)], `Yearly continuity test, ${year}: ${plan.title}`, [['Plan', plan.title], ['Outcome recorded by', "the plan's owner or a manager"]], plan.apiUrl);
}

export function continuityTestDetails(test: { plan: string; owner: string; state: string; correctiveActionId: string | null; apiUrl?: string }, deadline: Omit<DeadlineStanding, 'noun'>): string {
  return recordDetails(
    `Continuity test: ${test.plan}`,
    [
      ['State', test.state],
      ['Plan owner', test.owner],
      ['Corrective action', test.correctiveActionId],
    ],
    { noun: 'continuity test', ...deadline },
    test.apiUrl,
  );
}

/** `Access review: ERP application`: how far the owner has got, and the deadline. */
export function accessReviewDetails(review: { system: string; state: string; decided: number; total: number }, deadline: Omit<DeadlineStanding, 'noun'>): string {
  return recordDetails(`Access review: ${review.system}`, [['State', review.state], ['Decided', `${review.decided} of ${review.total} entitlements`], ['Decided by', "the system's owner, or a manager"]], { noun: 'access review', ...deadline }, undefined);
}
