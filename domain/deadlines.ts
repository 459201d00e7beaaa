// Reminders before a deadline and one escalation at it: the shape of every governance duty (reviews, audits,
// corrective actions) that a person must do in time.

export interface DeadlineTimer {
  key: string;
  kind: 'reminder' | 'escalation';
  at: number;
}

export function deadlineTimers(dueAt: number, remindBeforeSeconds: number[], prefix = ''): DeadlineTimer[] {
  const timers: DeadlineTimer[] = [...new Set(remindBeforeSeconds)]
    .filter((s) => s > 0)
    .sort((a, b) => b - a)
    .map((s) => ({ key: `${prefix}reminder:${s}`, kind: 'reminder' as const, at: dueAt - s * 1000 }));
  timers.push({ key: `${prefix}escalation`, kind: 'escalation', at: dueAt });
  return timers;
}
