// What a manager reads about a problem in the Temporal UI: its line in the workflow list, its key facts and
// API link, its live details (state, owner, root-cause deadline, escalation, next deadline) and the labels of
// its timers and activities. Pure, so the API, trend detection and the workflow write the same text.
import type { Priority } from './priority';
import { dueText, escalationText, nextDeadlineText, type NextDeadline } from './deadline-facts';
import { problemReference, type ProblemOpened, type ProblemState, type ProblemTimer } from './problem';
import { detailsMarkdown, fitBytes, humanDuration, mailLabel, summaryLine, utcInstant } from './workflow-metadata';

/** Who a problem's mail and escalation reach: the policy's coordinator is the problem manager. */
export const PROBLEM_MANAGER = 'problem manager';

const stateLabel = (state: ProblemState) => state.replace(/_/g, ' ');

/** `PRB-000004 · P2 · new · Recurring incidents on Mail gateway`: the state is the one the problem opened in. */
// Fixed at the start, so it names what does not change (where the problem came from), not the state.
export function problemSummary(opened: Pick<ProblemOpened, 'number' | 'priority' | 'title' | 'source'>): string {
  return summaryLine([problemReference(opened.number), opened.priority, opened.source === 'trend' ? 'from an incident trend' : null, opened.title]);
}

/** Names the API looked up for the ids the record holds; the id stands in for what was not looked up. */
export interface ProblemNames {
  service?: string | null;
  ci?: string | null;
}

/** The problem as it was opened, with its API address: the workflow's static details. */
export function problemStartDetails(opened: ProblemOpened, apiUrl: string, names: ProblemNames = {}): string {
  const source = opened.source === 'trend' ? `trend detection (${opened.trendKey})` : 'opened by hand';
  return detailsMarkdown(
    `${problemReference(opened.number)} · ${opened.title}`,
    [
      {
        facts: [
          ['Priority', opened.priority],
          ['Opened', utcInstant(Date.parse(opened.openedAt))],
          ['Source', source],
          ['Service', names.service ?? opened.serviceId],
          ['CI', names.ci ?? opened.ciId],
          ['Category', opened.category],
          ['Incidents at opening', opened.incidentIds.length],
          // The description can be pages long; the list of facts must stay readable.
          ['Description', fitBytes(opened.description, 1_000)],
        ],
      },
    ],
    [{ label: 'API record', url: apiUrl }],
  );
}

/** The live problem, as the workflow knows it. */
export interface ProblemProgress {
  state: ProblemState;
  priority: Priority;
  ownerId: string | null;
  coordinatorId: string | null;
  /** Null until the policy has set it. */
  rcaDueAt: number | null;
  rcaRunning: boolean;
  escalationLevel: number;
  /** Who the last escalation went to (`problem manager, owner`). */
  escalatedTo: string | null;
  incidents: number;
  knownErrorTitle: string | null;
  fixChangeId: string | null;
  reviewUntil: number | null;
  closeReason: string | null;
  next: NextDeadline | null;
}

/** The workflow's current details: refreshed whenever the problem moves or a deadline fires. */
export function problemCurrentDetails(p: ProblemProgress, now: number): string {
  const owner = p.ownerId ?? (p.coordinatorId ? `nobody yet (the ${PROBLEM_MANAGER} ${p.coordinatorId} is asked)` : 'nobody yet');
  return detailsMarkdown(`Problem ${stateLabel(p.state)}`, [
    {
      facts: [
        ['State', stateLabel(p.state)],
        ['Priority', p.priority],
        ['Owner', owner],
        ['Problem manager', p.coordinatorId],
        // Once the root cause is known the deadline is history, not a clock.
        ['RCA deadline', p.rcaRunning ? dueText(p.rcaDueAt, now) : utcInstant(p.rcaDueAt)],
        ['Escalation', escalationText(p.escalationLevel, p.escalatedTo)],
        ['Linked incidents', p.incidents],
        ['Known error', p.knownErrorTitle],
        ['Fix (change)', p.fixChangeId],
        ['Effectiveness review until', dueText(p.reviewUntil, now)],
        ['Next deadline', nextDeadlineText(p.next, now)],
        ['Closed', p.closeReason],
      ],
    },
  ]);
}

/** The label of what the problem's deadline loop waits for, as its timer in the UI's timeline. */
export function problemTimerLabel(wake: ProblemTimer | { kind: 'review-end' }, rcaDueAt: number, remindsOwner: boolean): string {
  if (wake.kind === 'review-end') return 'effectiveness review ends';
  if (wake.kind === 'rca-escalation') return `escalation level 1 → ${PROBLEM_MANAGER}`;
  return `RCA deadline reminder, ${humanDuration(rcaDueAt - wake.at)} before → ${remindsOwner ? 'owner' : PROBLEM_MANAGER}`;
}

/** `record: known error published`, `record: deadline rca escalation`: an event write in the timeline. */
export const problemRecordLabel = (eventType: string) => `record: ${eventType.replace(/[-.]/g, ' ')}`;

/** `mail: rca escalation → problem manager, owner`. */
export const problemMailLabel = (kind: string, to: string[]) => mailLabel(kind.replace(/^problem-/, '').replace(/-/g, ' '), to.join(', '));
