// What a manager reads about a service request in the Temporal UI: its line in the workflow list, its item,
// answers and clocks, its live details (state, approvals, each task's OLA, the SLA) and its timers' labels.
import { dueText, nextDeadlineText } from './deadline-facts';
import { noticesSection, type MailNotice } from './mail-notices';
import { requestReference, type RequestOpened, type RequestState, type RequestTimer, type SlaClock, type TaskProgress } from './request';
import { answersText } from './request-form';
import { detailsMarkdown, fitBytes, humanDuration, summaryLine, utcInstant, type Fact } from './workflow-metadata';

/** `REQ-000012 · Riley Requester · New laptop · Workplace`: who asks for what. */
export function requestSummary(opened: Pick<RequestOpened, 'number' | 'itemName' | 'serviceName'>, requester?: string | null): string {
  return summaryLine([requestReference(opened.number), requester, opened.itemName, opened.serviceName]);
}

export function requestStartDetails(opened: RequestOpened, apiUrl: string, requester?: string | null): string {
  return detailsMarkdown(
    `${requestReference(opened.number)} · ${opened.itemName}`,
    [
      {
        facts: [
          ['Item', `${opened.itemCode} v${opened.itemVersion} (${opened.kind})`],
          ['Service', opened.serviceName],
          ['Requester', requester ?? opened.requesterId],
          ['Submitted', utcInstant(Date.parse(opened.openedAt))],
          ['Answers', fitBytes(answersText(opened.form, opened.answers), 1_000)],
        ],
      },
      {
        heading: 'Approval and fulfilment',
        facts: [
          ['Approval', opened.approval.kind === 'none' ? 'none' : `${opened.approval.kind}, ${opened.approval.approverIds.length} approver(s)`],
          ['Tasks', `${opened.fulfilment.mode}: ${opened.fulfilment.tasks.map((task) => `${task.name} → ${task.groupName} (OLA ${humanDuration(task.olaSeconds * 1000)})`).join('; ')}`],
          ['Response target', `${humanDuration(opened.responseTargetSeconds * 1000)} business time`],
          ['Fulfilment target', `${humanDuration(opened.fulfilmentTargetSeconds * 1000)} business time`],
        ],
      },
    ],
    [{ label: 'API record', url: apiUrl }],
  );
}

export interface RequestProgress {
  state: RequestState;
  approvalTally: string | null;
  approvalDueAt: number | null;
  response: SlaClock;
  fulfilment: SlaClock;
  tasks: TaskProgress[];
  escalationLevel: number;
  next: { label: string; at: number } | null;
  notices: MailNotice[];
}

const clockText = (clock: SlaClock, now: number) =>
  clock.metAt !== null ? `met at ${utcInstant(clock.metAt)}` : clock.remainingSeconds !== null ? `paused, ${humanDuration(clock.remainingSeconds * 1000)} left` : `${clock.breached ? 'BREACHED, ' : ''}${dueText(clock.dueAt, now) ?? 'not started'}`;

export function requestCurrentDetails(r: RequestProgress, now: number): string {
  const tasks: Fact[] = r.tasks.map((task) => [
    `${task.position + 1}. ${task.name}`,
    `${task.phase}${task.assigneeId ? `, ${task.assigneeId}` : ''}${task.phase === 'open' ? `, OLA ${task.olaPausedSecondsLeft !== null ? 'paused' : `${task.olaBreached ? 'BREACHED, ' : ''}${dueText(task.olaDueAt, now)}`}` : ''}`,
  ]);
  return detailsMarkdown(`Request ${r.state}`, [
    {
      facts: [
        ['State', r.state],
        ['Approval', r.approvalTally],
        ['Approve by', r.state === 'approval' ? dueText(r.approvalDueAt, now) : null],
        ['Response SLA', clockText(r.response, now)],
        ['Fulfilment SLA', clockText(r.fulfilment, now)],
        ['Escalation level', r.escalationLevel],
        ['Next deadline', nextDeadlineText(r.next, now)],
      ],
    },
    { heading: 'Tasks', facts: tasks },
    noticesSection(r.notices),
  ]);
}

const TIMER_LABEL: Record<RequestTimer['kind'], string> = {
  'approval-reminder': 'approval reminder → approvers',
  'approval-escalation': 'approval overdue → service owner or managers',
  'response-breach': 'response SLA breach → service owner or managers',
  'fulfilment-breach': 'fulfilment SLA breach → service owner or managers',
  'ola-reminder': 'OLA reminder → assignee or group',
  'ola-breach': 'OLA breach → group lead',
  'auto-close': 'auto-close',
};

export const requestTimerLabel = (timer: RequestTimer) => TIMER_LABEL[timer.kind];
