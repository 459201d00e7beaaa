import { incidentReference, type IncidentState } from './incident';
import type { NotificationRequest } from './incident-record';
import { incidentStatus, nextSlaEvent, type IncidentRuntime, type IncidentStep } from './incident-runtime';
import type { SlaEvent } from './incident-sla';
import type { Priority } from './priority';
import type { ClockView, EscalationLevel, EscalationTarget } from './sla';
import { detailsMarkdown, humanDuration, mailLabel, summaryLine, utcInstant, type DetailsSection } from './workflow-metadata';

// An incident as a manager reads it in the Temporal UI (issue 18): the line in the workflow list, the facts at
// intake, the live details the workflow keeps (state, who holds it, both SLA clocks, escalation and who was
// told), and the names of its timers and activities, so the timeline reads as the incident's SLA story.

/** The record's heading everywhere: `INC-000042 · Outlook cannot connect`. */
export interface IncidentHeading {
  number: number;
  title: string;
}

const headingText = ({ number, title }: IncidentHeading) => summaryLine([incidentReference(number), title]);

/** `INC-000042 · P1 · E-mail · Outlook cannot connect`: the workflow list's line. */
export function incidentSummary(incident: IncidentHeading & { priority: Priority; serviceName: string }): string {
  return summaryLine([incidentReference(incident.number), incident.priority, incident.serviceName, incident.title]);
}

/** The policy a clock starts on, as intake knows it: targets and the calendar they count on. */
export interface OpeningTargets {
  responseTargetSeconds: number;
  resolutionTargetSeconds: number;
  calendar: string;
  alwaysOpen: boolean;
}

export interface IncidentOpeningFacts extends IncidentHeading {
  priority: Priority;
  impact: string;
  urgency: string;
  serviceName: string;
  serviceCode: string;
  channel: string;
  groupName: string | null;
  assigneeEmail: string | null;
  openedAt: number;
  targets: OpeningTargets;
  apiUrl: string;
}

/**
 * When a clock started at `openedAt` falls due. On a 24x7 calendar that is an instant; on business hours it
 * takes the calendar's holidays, which intake does not load (it stays at two statements), so the target is
 * named and the workflow's current details show the instant.
 */
export function dueAtOpening(openedAt: number, targetSeconds: number, targets: Pick<OpeningTargets, 'calendar' | 'alwaysOpen'>): string {
  if (targets.alwaysOpen) return utcInstant(openedAt + targetSeconds * 1000)!;
  return `${humanDuration(targetSeconds * 1000)} of business time after opening (calendar ${targets.calendar})`;
}

/** The incident's key facts at intake and its API link: the workflow's static details. */
export function incidentOpeningDetails(facts: IncidentOpeningFacts): string {
  const { targets } = facts;
  return detailsMarkdown(
    headingText(facts),
    [
      {
        facts: [
          ['Reference', incidentReference(facts.number)],
          ['Title', facts.title],
          ['Service', `${facts.serviceName} (${facts.serviceCode})`],
          ['Priority', facts.priority],
          ['Impact / urgency', `${facts.impact} / ${facts.urgency}`],
          ['Channel', facts.channel],
          ['Group', facts.groupName ?? 'not routed'],
          ['Assignee', facts.assigneeEmail ?? 'nobody yet'],
          ['Opened', utcInstant(facts.openedAt)],
          ['Response due', dueAtOpening(facts.openedAt, targets.responseTargetSeconds, targets)],
          ['Resolution due', dueAtOpening(facts.openedAt, targets.resolutionTargetSeconds, targets)],
        ],
      },
    ],
    [{ label: 'Incident in the API', url: facts.apiUrl }],
  );
}

const TARGET_NAMES: Record<Exclude<EscalationTarget, object>, string> = {
  assignee: 'assignee',
  group: 'group',
  groupLead: 'group lead',
  serviceOwner: 'service owner',
  requester: 'customer',
};

/** `group lead, service owner`: who a notice or an escalation level reaches, in words. */
export function targetsText(targets: EscalationTarget[]): string {
  return targets
    .map((target) => {
      if (typeof target === 'string') return TARGET_NAMES[target];
      if ('userEmail' in target) return target.userEmail;
      if ('userId' in target) return `user ${target.userId}`;
      return `group ${target.groupId}`;
    })
    .join(', ');
}

const percent = (fraction: number | undefined) => `${Math.round((fraction ?? 0) * 100)} %`;

/** The timer of an SLA event, as the timeline names it: `P1 response warning 75 %`, `escalation level 2 → group lead`. */
export function slaEventSummary(event: SlaEvent, priority: Priority, chain: EscalationLevel[]): string {
  switch (event.kind) {
    case 'warning':
      return `${priority} ${event.clock} warning ${percent(event.fraction)}`;
    case 'breach':
      return `${priority} ${event.clock} breach`;
    case 'escalation': {
      const level = chain.find((candidate) => candidate.level === event.level);
      return `escalation level ${event.level}${level ? ` → ${targetsText(level.notify)}` : ''}`;
    }
    case 'unassigned':
      return 'unassigned alert → group lead';
    case 'progress':
      return 'progress update to customer';
    case 'autoClose':
      return 'auto-close';
  }
}

/** The deadline loop's timer: the SLA event it waits for, or held mail going out at service hours. */
export function incidentStepSummary(step: IncidentStep | { kind: 'continue' }, rt: IncidentRuntime): string {
  if (step.kind === 'sla') return slaEventSummary(step.event, rt.priority, rt.sla.policy.escalationChain);
  return step.kind === 'mail' ? 'mail delivery' : 'continue as new';
}

/** `mail: assigned → assignee`. */
export const notificationSummary = (request: Pick<NotificationRequest, 'kind' | 'to'>): string => mailLabel(request.kind, targetsText(request.to));

/** `record: resolved`, `record: 3 SLA events`: the audit write an activity makes. */
export function recordSummary(change: string | number): string {
  if (typeof change === 'string') return `record: ${change}`;
  return `record: ${change} SLA event${change === 1 ? '' : 's'}`;
}

const stateText = (state: IncidentState) => state.replace(/_/g, ' ');

/** `met`, `running`, `breached`, `breached · paused (waiting on the customer)`: a paused clock may be late already. */
function clockStatus(clock: ClockView): string {
  if (clock.stopped) return clock.breached ? 'breached (stopped)' : 'met';
  const running = clock.paused ? 'paused (waiting on the customer)' : 'running';
  return clock.breached ? `breached · ${running}` : running;
}

function clockSection(heading: string, clock: ClockView | null): DetailsSection {
  if (!clock) return { heading, facts: [['Status', 'starting']] };
  const remaining = clock.remainingSeconds * 1000;
  return {
    heading,
    facts: [
      ['Status', clockStatus(clock)],
      ['Due', clock.dueAt === null ? null : utcInstant(Date.parse(clock.dueAt))],
      ['Elapsed', `${humanDuration(clock.elapsedSeconds * 1000)} of ${humanDuration(clock.targetSeconds * 1000)}`],
      ['Remaining', clock.stopped ? null : remaining < 0 ? `overdue by ${humanDuration(-remaining)}` : humanDuration(remaining)],
    ],
  };
}

/** Who each escalation level that has fired reached, and the group it handed the incident to. */
function escalationSection(rt: IncidentRuntime): DetailsSection {
  const fired = new Set(rt.sla.fired);
  return {
    heading: 'Escalation',
    facts: rt.sla.policy.escalationChain
      .filter((level) => fired.has(`escalation:${level.level}`))
      .map((level) => [`Level ${level.level} notified`, `${targetsText(level.notify)}${level.reassignToGroupId ? ` · handed to group ${level.reassignToGroupId}` : ''}`]),
  };
}

function nextDeadline(rt: IncidentRuntime, state: IncidentState, now: number): string | null {
  const event = nextSlaEvent(rt, state);
  if (!event) return null;
  const until = event.at - now;
  return `${slaEventSummary(event, rt.priority, rt.sla.policy.escalationChain)} · ${utcInstant(event.at)}${until > 0 ? ` (in ${humanDuration(until)})` : ''}`;
}

/**
 * The workflow's current details: state, who holds it, escalation, the next deadline and both SLA clocks as
 * of `now` (the last change; the UI shows them until the next one).
 */
export function incidentCurrentDetails(heading: IncidentHeading, rt: IncidentRuntime, state: IncidentState, now: number): string {
  const status = incidentStatus(rt, state, now);
  const levels = rt.sla.policy.escalationChain.length;
  return detailsMarkdown(headingText(heading), [
    {
      facts: [
        ['State', stateText(state)],
        ['Priority', rt.priority],
        ['Major incident', rt.major ? 'yes' : 'no'],
        ['Group', rt.groupName ?? rt.groupId ?? 'not routed'],
        ['Assignee', rt.assigneeEmail ?? (rt.assigneeId ? `user ${rt.assigneeId}` : 'nobody yet')],
        ['Escalation level', `${rt.escalationLevel} of ${levels}`],
        ['Next deadline', nextDeadline(rt, state, now) ?? 'none'],
        ['As of', utcInstant(now)],
      ],
    },
    clockSection('Response', status.response),
    clockSection('Resolution', status.resolution),
    escalationSection(rt),
  ]);
}

/** Before the opening has loaded the SLA policy (an Update can arrive that early): no clocks yet. */
export function incidentOpeningCurrentDetails(heading: IncidentHeading, priority: Priority, state: IncidentState): string {
  return detailsMarkdown(headingText(heading), [
    { facts: [['State', stateText(state)], ['Priority', priority], ['Escalation level', '0']] },
    clockSection('Response', null),
    clockSection('Resolution', null),
  ]);
}
