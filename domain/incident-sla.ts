import { addBusinessTime } from './calendar';
import { isOpen, type IncidentState } from './incident';
import { instantAtFraction, type SlaClock, type SlaPolicySnapshot } from './sla';

export type SlaEventKind = 'warning' | 'breach' | 'escalation' | 'unassigned' | 'progress' | 'autoClose';
export type ClockName = 'response' | 'resolution';

export interface SlaEvent {
  /** Stable identity: an event with a key in `fired` never fires again, across retries, replays and continue-as-new. */
  key: string;
  kind: SlaEventKind;
  at: number;
  clock?: ClockName;
  fraction?: number;
  level?: number;
}

export interface IncidentSlaState {
  policy: SlaPolicySnapshot;
  response: SlaClock;
  resolution: SlaClock;
  fired: string[];
  /** Last customer progress update, or when the clock last (re)started, whichever is later. */
  progressBase: number;
  progressCount: number;
  resolvedAt: number | null;
  cycle: number;
  /** When the incident was opened; absent in runs started before routing. */
  openedAt?: number;
}

/** What the SLA timers depend on besides the clocks: the record's state and whether anybody has taken it. */
export interface SlaSubject {
  state: IncidentState;
  unassigned: boolean;
}

// At one instant a warning goes out before the breach, and the breach before the escalation it triggers.
const ORDER: Record<SlaEventKind, number> = { warning: 0, breach: 1, escalation: 2, unassigned: 3, progress: 4, autoClose: 5 };

function clockEvents(name: ClockName, clock: SlaClock, s: IncidentSlaState): SlaEvent[] {
  const events: SlaEvent[] = [];
  const calendar = s.policy.calendar;
  for (const fraction of s.policy.warningThresholds) {
    const at = instantAtFraction(clock, calendar, fraction);
    if (at !== null) events.push({ key: `${name}:warning:${fraction}`, kind: 'warning', at, clock: name, fraction });
  }
  const breachAt = instantAtFraction(clock, calendar, 1);
  if (breachAt !== null) events.push({ key: `${name}:breach`, kind: 'breach', at: breachAt, clock: name, fraction: 1 });
  return events;
}

export function pendingSlaEvents(s: IncidentSlaState, { state, unassigned }: SlaSubject): SlaEvent[] {
  const events = [...clockEvents('response', s.response, s), ...clockEvents('resolution', s.resolution, s)];
  for (const level of s.policy.escalationChain) {
    const at = instantAtFraction(s.resolution, s.policy.calendar, level.atFraction);
    if (at !== null) events.push({ key: `escalation:${level.level}`, kind: 'escalation', at, clock: 'resolution', level: level.level });
  }
  // Work nobody has taken must reach a person who can hand it out (the group lead), once.
  const unassignedAfter = s.policy.unassignedAlertSeconds;
  if (unassignedAfter && unassigned && s.openedAt !== undefined && isOpen(state)) {
    events.push({ key: 'unassigned', kind: 'unassigned', at: addBusinessTime(s.policy.calendar, s.openedAt, unassignedAfter) });
  }
  const interval = s.policy.progressUpdateEverySeconds;
  if (interval && s.resolution.runningSince !== null && state !== 'pending') {
    events.push({ key: `progress:${s.progressCount + 1}`, kind: 'progress', at: addBusinessTime(s.policy.calendar, s.progressBase, interval) });
  }
  if (state === 'resolved' && s.resolvedAt !== null) {
    events.push({ key: `autoClose:${s.cycle}`, kind: 'autoClose', at: s.resolvedAt + s.policy.autoCloseAfterSeconds * 1000 });
  }
  const fired = new Set(s.fired);
  return events.filter((event) => !fired.has(event.key)).sort((a, b) => a.at - b.at || ORDER[a.kind] - ORDER[b.kind]);
}

/** The warning after which the customer is told that the resolution target will be missed: the last one. */
export function isLastResolutionWarning(event: SlaEvent, policy: SlaPolicySnapshot): boolean {
  return event.kind === 'warning' && event.clock === 'resolution' && event.fraction === Math.max(...policy.warningThresholds);
}
