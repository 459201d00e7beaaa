// What a manager reads about a service complaint in the Temporal UI: its line in the workflow list, its key
// facts and API link, its live details (state, handler, response due, escalation, next deadline) and the labels
// of its timers and activities. Pure, so the API and the workflow write the same text.
import { dueText, escalationText, nextDeadlineText, type NextDeadline } from './deadline-facts';
import type { DeadlineTimer } from './deadlines';
import { complaintReference, escalationLevelOf, type ComplaintOpened, type ComplaintOutcome, type ComplaintState } from './complaint';
import { detailsMarkdown, fitBytes, humanDuration, mailLabel, summaryLine, utcInstant } from './workflow-metadata';

/** Who a complaint mail goes to; a handler's mail goes to the managers while nobody handles it. */
export type ComplaintAudience = 'complainant' | 'handler' | 'managers' | 'admins';

const AUDIENCE_LABEL: Record<ComplaintAudience, string> = { complainant: 'complainant', handler: 'handler', managers: 'managers', admins: 'administrators' };

/** The first escalation reaches the managers (and the handler), the second the administrators as higher management. */
export function complaintEscalationAudience(level: number): ComplaintAudience[] {
  return level === 1 ? ['managers', 'handler'] : ['admins'];
}

export const audienceText = (to: ComplaintAudience[]) => to.map((target) => AUDIENCE_LABEL[target]).join(', ');

/** Names the API looked up for the ids the complaint holds. */
export interface ComplaintNames {
  complainant?: string | null;
  service?: string | null;
  handler?: string | null;
  incident?: string | null;
}

/** `CMP-000012 · Riley Requester · Payroll · Payslips late again`: who complains, about what. */
export function complaintSummary(opened: Pick<ComplaintOpened, 'number' | 'subject'>, names: ComplaintNames = {}): string {
  return summaryLine([complaintReference(opened.number), names.complainant, names.service, opened.subject]);
}

/** The complaint as it was logged, its policy's clock and its API address: the workflow's static details. */
export function complaintStartDetails(opened: ComplaintOpened, apiUrl: string, names: ComplaintNames = {}): string {
  const due = Date.parse(opened.dueAt);
  const reminders = opened.remindBeforeSeconds.map((seconds) => `${humanDuration(seconds * 1000)} before`).join(', ');
  return detailsMarkdown(
    `${complaintReference(opened.number)} · ${opened.subject}`,
    [
      {
        facts: [
          ['Severity', opened.severity],
          ['Complainant', names.complainant ?? opened.complainantId],
          ['Service', names.service ?? opened.serviceId],
          ['Incident', names.incident ?? opened.incidentId],
          ['Handler', names.handler ?? opened.handlerId ?? 'the managers, until one is assigned'],
          ['Logged', utcInstant(Date.parse(opened.openedAt))],
          ['Description', fitBytes(opened.description, 1_000)],
        ],
      },
      {
        heading: 'Response clock',
        facts: [
          ['Response due', utcInstant(due)],
          ['Reminders to the handler', reminders || null],
          ['Escalation level 1', `→ ${audienceText(complaintEscalationAudience(1))} at ${utcInstant(due)}`],
          ['Escalation level 2', `→ ${audienceText(complaintEscalationAudience(2))} at ${utcInstant(due + opened.escalateAfterSeconds * 1000)}`],
        ],
      },
    ],
    [{ label: 'API record', url: apiUrl }],
  );
}

/** The live complaint, as the workflow knows it. */
export interface ComplaintProgress {
  state: ComplaintState;
  handlerId: string | null;
  dueAt: number;
  escalationLevel: number;
  outcome: ComplaintOutcome | null;
  next: NextDeadline | null;
}

/** The workflow's current details: refreshed whenever the complaint moves or a deadline fires. */
export function complaintCurrentDetails(c: ComplaintProgress, now: number): string {
  const open = c.state !== 'closed';
  return detailsMarkdown(`Complaint ${c.state}`, [
    {
      facts: [
        ['State', c.state],
        ['Handler', c.handlerId ?? 'nobody yet: the managers are asked'],
        ['Response due', open ? dueText(c.dueAt, now) : utcInstant(c.dueAt)],
        ['Escalation', escalationText(c.escalationLevel, c.escalationLevel > 0 ? audienceText(complaintEscalationAudience(c.escalationLevel)) : null)],
        ['Next deadline', open ? nextDeadlineText(c.next, now) : null],
        ['Outcome', c.outcome?.replace(/_/g, ' ')],
      ],
    },
  ]);
}

/** `complaint reminder → handler`, `escalation level 2 → administrators`: a timer as the timeline names it. */
export function complaintTimerLabel(timer: DeadlineTimer): string {
  if (timer.kind === 'reminder') return 'complaint reminder → handler';
  const level = escalationLevelOf(timer);
  return `escalation level ${level} → ${audienceText(complaintEscalationAudience(level))}`;
}

/** `mail: escalation → managers, handler`. */
export const complaintMailLabel = (kind: string, to: ComplaintAudience[]) => mailLabel(kind.replace(/^complaint-/, ''), audienceText(to));
