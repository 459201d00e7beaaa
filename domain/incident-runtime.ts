import { businessTimeBetween, nextBusinessInstant } from './calendar';
import { isOpen, openingColumns, type IncidentOpened, type IncidentState } from './incident';
import { isLastResolutionWarning, pendingSlaEvents, type IncidentSlaState, type SlaEvent, type SlaSubject } from './incident-sla';
import { isoOrNull } from './instants';
import type { IncidentSnapshot, IncidentStatus, QueuedNotification } from './incident-record';
import {
  checkpointClock,
  dueAt,
  isBreached,
  pauseClock,
  restartClock,
  resumeClock,
  retargetClock,
  startClock,
  stopClock,
  viewClock,
  type EscalationTarget,
  type SlaPolicySnapshot,
} from './sla';

// An incident's working data inside its workflow (ISO/IEC 20000-1 clause 8.6.1): the record's columns, the SLA
// clocks, the OLA time per assignment group and the mail held for service hours. Every change is a pure
// function here, so the workflow only sequences them and a replay computes the same values for free.

type RecordFields = Pick<IncidentSnapshot, 'priority' | 'impact' | 'urgency' | 'major' | 'assigneeId' | 'groupId' | 'escalationLevel' | 'resolutionCode' | 'resolutionSummary'>;

/** What a run works on. The state and the event sequence belong to the process kernel. */
export interface IncidentRuntime extends RecordFields {
  assigneeEmail: string | null;
  /** The group's name for the Temporal UI; null when only its id is known (e.g. a functional escalation's group). */
  groupName?: string | null;
  respondedAt: number | null;
  closedAt: number | null;
  sla: IncidentSlaState;
  ola: { groupId: string | null; since: number | null; seconds: Record<string, number> };
  outbox: QueuedNotification[];
}

/** Everything the incident carries from one run to the next (continue-as-new). */
export interface CarriedIncident extends IncidentRuntime {
  state: IncidentState;
  seq: number;
}

/** The runtime at opening: both clocks start when the incident was logged, OLA time with the routed group. */
export function openRuntime(opened: IncidentOpened, policy: SlaPolicySnapshot): IncidentRuntime {
  const openedAt = Date.parse(opened.openedAt);
  const routed = openingColumns(opened);
  return {
    priority: opened.priority,
    impact: opened.impact,
    urgency: opened.urgency,
    major: false,
    assigneeId: routed.assigneeId,
    assigneeEmail: opened.assigneeEmail ?? null,
    groupId: routed.groupId,
    groupName: opened.groupName ?? null,
    escalationLevel: 0,
    respondedAt: null,
    closedAt: null,
    resolutionCode: null,
    resolutionSummary: null,
    sla: {
      policy,
      response: startClock(policy.responseTargetSeconds, openedAt),
      resolution: startClock(policy.resolutionTargetSeconds, openedAt),
      fired: [],
      progressBase: openedAt,
      progressCount: 0,
      resolvedAt: null,
      cycle: 1,
      openedAt,
    },
    ola: { groupId: routed.groupId, since: routed.groupId ? openedAt : null, seconds: {} },
    outbox: [],
  };
}

const calendarOf = (rt: IncidentRuntime) => rt.sla.policy.calendar;

export const slaSubject = (rt: IncidentRuntime, state: IncidentState): SlaSubject => ({ state, unassigned: rt.assigneeId === null });

function olaTotals(rt: IncidentRuntime, now: number): Record<string, number> {
  const totals = { ...rt.ola.seconds };
  if (rt.ola.groupId && rt.ola.since !== null) totals[rt.ola.groupId] = (totals[rt.ola.groupId] ?? 0) + businessTimeBetween(calendarOf(rt), rt.ola.since, now);
  return totals;
}

const olaRounded = (rt: IncidentRuntime, now: number) => Object.fromEntries(Object.entries(olaTotals(rt, now)).map(([group, seconds]) => [group, Math.round(seconds)]));

// OLA time counts while the incident sits with a group and the customer is not being waited on.
function stopOla(rt: IncidentRuntime, now: number): IncidentRuntime {
  return { ...rt, ola: { ...rt.ola, seconds: olaTotals(rt, now), since: null } };
}

/** (Re)starts the OLA clock; time already running is banked first, so a restart never drops it. */
function startOla(rt: IncidentRuntime, state: IncidentState, now: number): IncidentRuntime {
  const banked = stopOla(rt, now);
  return { ...banked, ola: { ...banked.ola, since: banked.ola.groupId && isOpen(state) && state !== 'pending' ? now : null } };
}

/** Hands the incident to another group: the OLA time so far stays with the group it leaves. */
function handOver(rt: IncidentRuntime, groupId: string | null, now: number, groupName: string | null = null): IncidentRuntime {
  if (groupId === rt.groupId) return rt;
  const stopped = stopOla(rt, now);
  return { ...stopped, groupId, groupName, ola: { ...stopped.ola, groupId } };
}

const withSla = (rt: IncidentRuntime, sla: Partial<IncidentSlaState>): IncidentRuntime => ({ ...rt, sla: { ...rt.sla, ...sla } });

/** The first response (an acknowledgement or an agent's public note) stops the response clock, once. */
export function responded(rt: IncidentRuntime, now: number): IncidentRuntime {
  if (rt.sla.response.stoppedAt !== null) return rt;
  return { ...withSla(rt, { response: stopClock(rt.sla.response, calendarOf(rt), now) }), respondedAt: now };
}

export const acknowledged = (rt: IncidentRuntime, state: IncidentState, now: number): IncidentRuntime => startOla(responded(rt, now), state, now);

export function assigned(
  rt: IncidentRuntime,
  state: IncidentState,
  now: number,
  to: { groupId?: string | null; groupName?: string | null; assigneeId?: string | null; assigneeEmail?: string | null },
): IncidentRuntime {
  const routed = to.groupId === undefined ? rt : handOver(rt, to.groupId, now, to.groupName);
  const taken = to.assigneeId === undefined ? routed : { ...routed, assigneeId: to.assigneeId, assigneeEmail: to.assigneeEmail ?? null };
  return startOla(taken, state, now);
}

/** The provider works on it again (a resume, a customer's reply): progress updates count from now. */
export function resumed(rt: IncidentRuntime, state: IncidentState, now: number): IncidentRuntime {
  return startOla(withSla(rt, { resolution: resumeClock(rt.sla.resolution, calendarOf(rt), now), progressBase: now }), state, now);
}

/** Waiting on the customer pauses the resolution clock and the OLA time. */
export function paused(rt: IncidentRuntime, now: number): IncidentRuntime {
  return stopOla(withSla(rt, { resolution: pauseClock(rt.sla.resolution, calendarOf(rt), now) }), now);
}

export function resolved(rt: IncidentRuntime, now: number, code: string, summary: string): IncidentRuntime {
  const answered = responded(rt, now);
  const stopped = withSla(answered, { resolution: stopClock(answered.sla.resolution, calendarOf(rt), now), resolvedAt: now });
  return stopOla({ ...stopped, resolutionCode: code, resolutionSummary: summary }, now);
}

/** A reopen starts a new resolution cycle; the time spent resolved is not counted. */
export function reopened(rt: IncidentRuntime, state: IncidentState, now: number): IncidentRuntime {
  const restarted = withSla(rt, { resolution: restartClock(rt.sla.resolution, now), resolvedAt: null, progressBase: now, cycle: rt.sla.cycle + 1 });
  return startOla(restarted, state, now);
}

/** A new policy (priority change): elapsed business time is kept, only the targets and calendar move. */
export function retargeted(rt: IncidentRuntime, policy: SlaPolicySnapshot, now: number): IncidentRuntime {
  const calendar = calendarOf(rt);
  const retarget = (clock: IncidentSlaState['response'], target: number) => retargetClock(checkpointClock(clock, calendar, now), target);
  return {
    ...withSla(rt, { policy, response: retarget(rt.sla.response, policy.responseTargetSeconds), resolution: retarget(rt.sla.resolution, policy.resolutionTargetSeconds) }),
    ola: { ...rt.ola, seconds: olaTotals(rt, now), since: rt.ola.since === null ? null : now },
    priority: policy.priority,
  };
}

/**
 * The reopen window in seconds when it has passed, else null. A resolve accepted in this same instant has not
 * stamped its time yet (nor, before the opening, loaded a policy): its window starts now.
 */
export function reopenWindowPassed(rt: IncidentRuntime | undefined, now: number): number | null {
  if (!rt) return null;
  const seconds = rt.sla.policy.reopenWindowSeconds;
  return now - (rt.sla.resolvedAt ?? now) > seconds * 1000 ? seconds : null;
}

/** When mail may go out: outside service hours a policy may hold it until the next business instant. */
export const deliveryTime = (rt: IncidentRuntime, now: number): number => (rt.sla.policy.holdNotificationsOutsideHours ? nextBusinessInstant(calendarOf(rt), now) : now);

export interface SlaNotice {
  kind: string;
  to: EscalationTarget[];
  context: Record<string, unknown>;
}

/** What one SLA event does: the runtime after it (the event marked fired), the mail it sends, what it records. */
export function slaEventEffect(rt: IncidentRuntime, state: IncidentState, event: SlaEvent, now: number): { rt: IncidentRuntime; notices: SlaNotice[]; data: Record<string, unknown> } {
  const fired = withSla(rt, { fired: [...rt.sla.fired, event.key] });
  const data: Record<string, unknown> = { key: event.key, clock: event.clock, fraction: event.fraction, dueAt: isoOrNull(event.at) };
  const notice = (kind: string, to: EscalationTarget[], context = data): SlaNotice => ({ kind, to, context });
  switch (event.kind) {
    case 'warning':
      return { rt: fired, data, notices: [notice('warning', ['assignee']), ...(isLastResolutionWarning(event, rt.sla.policy) ? [notice('at-risk', ['requester'])] : [])] };
    case 'breach':
      return { rt: fired, data, notices: [notice('breach', ['assignee', 'groupLead'])] };
    case 'escalation': {
      const level = rt.sla.policy.escalationChain.find((candidate) => candidate.level === event.level)!;
      let after: IncidentRuntime = { ...fired, escalationLevel: Math.max(rt.escalationLevel, level.level) };
      data.level = level.level;
      // Functional escalation: the group it is handed to takes over the OLA time from now.
      if (level.reassignToGroupId && level.reassignToGroupId !== rt.groupId) {
        after = startOla(handOver(after, level.reassignToGroupId, now), state, now);
        data.reassignedToGroupId = level.reassignToGroupId;
      }
      return { rt: after, data, notices: [notice('escalation', level.notify)] };
    }
    case 'unassigned':
      return { rt: fired, data, notices: [notice('unassigned', ['groupLead'])] };
    case 'progress':
      return { rt: withSla(fired, { progressCount: rt.sla.progressCount + 1, progressBase: now }), data, notices: [notice('progress', ['requester'])] };
    case 'autoClose':
      return { rt: { ...fired, closedAt: now }, data, notices: [notice('closed', ['requester'], { automatic: true })] };
  }
}

export type IncidentStep = { kind: 'sla'; at: number; event: SlaEvent } | { kind: 'mail'; at: number };

/** The earliest SLA event still to fire; a closed incident has none. */
export const nextSlaEvent = (rt: IncidentRuntime, state: IncidentState): SlaEvent | undefined => (state === 'closed' ? undefined : pendingSlaEvents(rt.sla, slaSubject(rt, state))[0]);

/** What comes next: the earliest SLA event when it is due, else held mail that is due, else whichever is earlier. */
export function nextIncidentStep(rt: IncidentRuntime, state: IncidentState, now: number): IncidentStep | null {
  const event = nextSlaEvent(rt, state);
  const mailAt = rt.outbox.length > 0 ? Math.min(...rt.outbox.map((item) => item.at)) : undefined;
  if (event && (mailAt === undefined || event.at <= Math.max(mailAt, now))) return { kind: 'sla', at: event.at, event };
  return mailAt === undefined ? null : { kind: 'mail', at: mailAt };
}

/** The earlier of the two deadlines, for the Temporal UI. */
export function nearestDue(rt: IncidentRuntime): number | null {
  const dues = [dueAt(rt.sla.response, calendarOf(rt)), dueAt(rt.sla.resolution, calendarOf(rt))].filter((d): d is number => d !== null);
  return dues.length > 0 ? Math.min(...dues) : null;
}

export const slaBreached = (rt: IncidentRuntime, now: number): boolean => isBreached(rt.sla.response, calendarOf(rt), now) || isBreached(rt.sla.resolution, calendarOf(rt), now);

export function incidentSnapshot(rt: IncidentRuntime, state: IncidentState, now: number): IncidentSnapshot {
  const { sla } = rt;
  const calendar = calendarOf(rt);
  return {
    state,
    priority: rt.priority,
    impact: rt.impact,
    urgency: rt.urgency,
    major: rt.major,
    assigneeId: rt.assigneeId,
    groupId: rt.groupId,
    escalationLevel: rt.escalationLevel,
    responseDueAt: isoOrNull(dueAt(sla.response, calendar)),
    resolutionDueAt: isoOrNull(dueAt(sla.resolution, calendar)),
    respondedAt: isoOrNull(rt.respondedAt),
    resolvedAt: isoOrNull(sla.resolvedAt),
    closedAt: isoOrNull(rt.closedAt),
    responseBreached: isBreached(sla.response, calendar, now),
    resolutionBreached: isBreached(sla.resolution, calendar, now),
    resolutionCode: rt.resolutionCode,
    resolutionSummary: rt.resolutionSummary,
    olaSeconds: olaRounded(rt, now),
    slaPolicyId: sla.policy.policyId,
    slaPolicyVersion: sla.policy.version,
  };
}

export function incidentStatus(rt: IncidentRuntime, state: IncidentState, now: number): IncidentStatus {
  const view = (clock: IncidentSlaState['response']) => viewClock(clock, calendarOf(rt), now);
  return {
    state,
    priority: rt.priority,
    major: rt.major,
    assigneeId: rt.assigneeId,
    groupId: rt.groupId,
    escalationLevel: rt.escalationLevel,
    response: view(rt.sla.response),
    resolution: view(rt.sla.resolution),
    olaSeconds: olaRounded(rt, now),
    heldNotifications: rt.outbox.filter((item) => item.at > now).map((item) => ({ kind: item.kind, at: isoOrNull(item.at)! })),
  };
}

/** The status while the opening is still loading the policy: no clocks yet. */
export function openingStatus(opened: IncidentOpened, state: IncidentState): IncidentStatus {
  return { state, priority: opened.priority, major: false, assigneeId: null, groupId: null, escalationLevel: 0, response: null, resolution: null, olaSeconds: {}, heldNotifications: [] };
}
