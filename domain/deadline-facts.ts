// How a record's deadlines read in its Temporal UI details: the instant (UTC, the same for every reader) and how
// far away it is when the details were last written, so a manager sees at a glance what is overdue.
import { humanDuration, utcInstant } from './workflow-metadata';

/** A deadline the workflow is waiting for, named as its timer is (`RCA reminder`, `escalation level 1 → managers`). */
export interface NextDeadline {
  label: string;
  at: number;
}

/** `2026-12-01 10:00:00 UTC (in 2 h 05 min)`, or `(overdue by 5 min)` once passed. */
export function dueText(at: number | null | undefined, now: number): string | null {
  if (at === null || at === undefined) return null;
  const left = at - now;
  return `${utcInstant(at)} (${left >= 0 ? `in ${humanDuration(left)}` : `overdue by ${humanDuration(-left)}`})`;
}

/** `escalation level 1 → managers, 2026-12-01 10:00:00 UTC (in 5 min)`; nothing when no deadline is left. */
export function nextDeadlineText(next: NextDeadline | null | undefined, now: number): string | null {
  return next ? `${next.label}, ${dueText(next.at, now)}` : null;
}

/** `level 1 → problem manager, owner`, or `none` before any escalation. */
export function escalationText(level: number, notified: string | null): string {
  return level > 0 ? `level ${level}${notified ? ` → ${notified}` : ''}` : 'none';
}
