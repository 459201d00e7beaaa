import { addBusinessTime, businessTimeBetween, type CalendarDefinition } from './calendar';
import type { Priority } from './priority';

// An SLA clock counts business time on its calendar. Pausing folds the running segment into `elapsedSeconds`,
// so a pause credits exactly the business time it covered, and a new target (priority change) keeps the time
// already spent: the deadline is always `runningSince + (target - elapsed)` in business time.

// 'assignee' means the group while nobody has taken the incident; 'group' is the group's own address, else its
// members; a level may also name any group by id.
export type EscalationTarget = 'assignee' | 'group' | 'groupLead' | 'serviceOwner' | 'requester' | { userEmail: string } | { userId: string } | { groupId: string };

export interface EscalationLevel {
  level: number;
  /** The fraction of the resolution target elapsed at which this level fires (1 = at breach). */
  atFraction: number;
  notify: EscalationTarget[];
  /** Functional escalation: hand the incident to another group. */
  reassignToGroupId?: string;
}

export interface SlaPolicySnapshot {
  policyId: string;
  priority: Priority;
  responseTargetSeconds: number;
  resolutionTargetSeconds: number;
  warningThresholds: number[];
  escalationChain: EscalationLevel[];
  progressUpdateEverySeconds: number | null;
  autoCloseAfterSeconds: number;
  reopenWindowSeconds: number;
  holdNotificationsOutsideHours: boolean;
  /** Business seconds after which an incident nobody has taken alerts the group lead; absent before routing existed. */
  unassignedAlertSeconds?: number | null;
  /** The policy version the clock runs on; absent in workflows started before policies were versioned. */
  version?: number;
  calendar: CalendarDefinition;
}

export interface SlaClock {
  targetSeconds: number;
  elapsedSeconds: number;
  /** Start of the running segment (epoch ms); null while paused or stopped. */
  runningSince: number | null;
  pausedAt: number | null;
  stoppedAt: number | null;
  /** Business seconds spent paused, for the record (ISO/IEC 20000 reporting). */
  pausedSeconds: number;
}

export interface ClockView {
  targetSeconds: number;
  elapsedSeconds: number;
  remainingSeconds: number;
  dueAt: string | null;
  paused: boolean;
  stopped: boolean;
  breached: boolean;
}

export function startClock(targetSeconds: number, now: number): SlaClock {
  return { targetSeconds, elapsedSeconds: 0, runningSince: now, pausedAt: null, stoppedAt: null, pausedSeconds: 0 };
}

export function elapsed(clock: SlaClock, calendar: CalendarDefinition, now: number): number {
  return clock.elapsedSeconds + (clock.runningSince === null ? 0 : businessTimeBetween(calendar, clock.runningSince, now));
}

function fold(clock: SlaClock, calendar: CalendarDefinition, now: number): SlaClock {
  return { ...clock, elapsedSeconds: elapsed(clock, calendar, now), runningSince: null };
}

export function pauseClock(clock: SlaClock, calendar: CalendarDefinition, now: number): SlaClock {
  if (clock.runningSince === null) return clock;
  return { ...fold(clock, calendar, now), pausedAt: now };
}

export function resumeClock(clock: SlaClock, calendar: CalendarDefinition, now: number): SlaClock {
  if (clock.pausedAt === null || clock.stoppedAt !== null) return clock;
  return { ...clock, runningSince: now, pausedAt: null, pausedSeconds: clock.pausedSeconds + businessTimeBetween(calendar, clock.pausedAt, now) };
}

export function stopClock(clock: SlaClock, calendar: CalendarDefinition, now: number): SlaClock {
  if (clock.stoppedAt !== null) return clock;
  const paused = clock.pausedAt === null ? clock : resumeClock(clock, calendar, now);
  return { ...fold(paused, calendar, now), pausedAt: null, stoppedAt: now };
}

/** Folds the running segment into the elapsed time and carries on from `now`: needed before the calendar changes. */
export function checkpointClock(clock: SlaClock, calendar: CalendarDefinition, now: number): SlaClock {
  return clock.runningSince === null ? clock : { ...fold(clock, calendar, now), runningSince: now };
}

/** A resolution clock restarted by a reopen carries on from where it stopped; the time spent resolved is not counted. */
export function restartClock(clock: SlaClock, now: number): SlaClock {
  return { ...clock, runningSince: now, stoppedAt: null, pausedAt: null };
}

export function retargetClock(clock: SlaClock, targetSeconds: number): SlaClock {
  return { ...clock, targetSeconds };
}

/** When the clock reaches `fraction` of its target; null while it is not running. */
export function instantAtFraction(clock: SlaClock, calendar: CalendarDefinition, fraction: number): number | null {
  if (clock.runningSince === null) return null;
  return addBusinessTime(calendar, clock.runningSince, Math.max(0, fraction * clock.targetSeconds - clock.elapsedSeconds));
}

export function dueAt(clock: SlaClock, calendar: CalendarDefinition): number | null {
  return instantAtFraction(clock, calendar, 1);
}

export function isBreached(clock: SlaClock, calendar: CalendarDefinition, now: number): boolean {
  const at = clock.stoppedAt ?? now;
  return elapsed(clock, calendar, at) >= clock.targetSeconds;
}

export function viewClock(clock: SlaClock, calendar: CalendarDefinition, now: number): ClockView {
  const spent = elapsed(clock, calendar, now);
  const due = dueAt(clock, calendar);
  return {
    targetSeconds: clock.targetSeconds,
    elapsedSeconds: Math.round(spent),
    remainingSeconds: Math.round(clock.targetSeconds - spent),
    dueAt: due === null ? null : new Date(due).toISOString(),
    paused: clock.pausedAt !== null,
    stopped: clock.stoppedAt !== null,
    breached: spent >= clock.targetSeconds,
  };
}

/** Whether an escalation chain hands work to, or notifies, the group: such a group must stay active. */
export function escalationNamesGroup(chain: EscalationLevel[], groupId: string): boolean {
  return chain.some((level) => level.reassignToGroupId === groupId || level.notify.some((target) => typeof target === 'object' && 'groupId' in target && target.groupId === groupId));
}
