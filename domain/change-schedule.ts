// Scheduling rules for changes: a window must avoid blackouts, withdrawn (closed) maintenance windows and other
// approved changes on the same services or configuration items, and must fit an open maintenance window of
// every affected service that publishes any.

export interface Interval {
  start: number;
  end: number;
}

export interface ScheduleCandidates {
  blackouts: { id: string; name: string; serviceId: string | null; start: number; end: number }[];
  maintenanceWindows: { id: string; name: string; serviceId: string; status: string; start: number; end: number }[];
  changes: { id: string; reference: string; state: string; serviceIds: string[]; cis: string[]; start: number; end: number }[];
}

export type ConflictKind = 'blackout' | 'closed-maintenance-window' | 'outside-maintenance-window' | 'change-overlap';

export interface Conflict {
  kind: ConflictKind;
  /** The blackout, window or change it is with (null when no open window covers the change). */
  withId: string | null;
  detail: string;
  serviceIds: string[];
  cis: string[];
  start: string | null;
  end: string | null;
}

/** Half-open intervals: a change ending at 02:00 does not collide with one starting at 02:00. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function findConflicts(window: Interval, affected: { serviceIds: string[]; cis: string[] }, candidates: ScheduleCandidates): Conflict[] {
  const conflicts: Conflict[] = [];
  const services = new Set(affected.serviceIds);
  const cis = new Set(affected.cis);

  for (const blackout of candidates.blackouts) {
    if (!overlaps(window, blackout) || (blackout.serviceId !== null && !services.has(blackout.serviceId))) continue;
    conflicts.push({
      kind: 'blackout',
      withId: blackout.id,
      detail: `overlaps the blackout "${blackout.name}"${blackout.serviceId ? '' : ' (all services)'}`,
      serviceIds: blackout.serviceId ? [blackout.serviceId] : [...services],
      cis: [],
      start: iso(blackout.start),
      end: iso(blackout.end),
    });
  }

  for (const serviceId of services) {
    const windows = candidates.maintenanceWindows.filter((w) => w.serviceId === serviceId);
    for (const closed of windows.filter((w) => w.status === 'closed' && overlaps(window, w))) {
      conflicts.push({
        kind: 'closed-maintenance-window',
        withId: closed.id,
        detail: `overlaps the closed maintenance window "${closed.name}"`,
        serviceIds: [serviceId],
        cis: [],
        start: iso(closed.start),
        end: iso(closed.end),
      });
    }
    const open = windows.filter((w) => w.status === 'open');
    if (open.length > 0 && !open.some((w) => w.start <= window.start && window.end <= w.end)) {
      conflicts.push({
        kind: 'outside-maintenance-window',
        withId: null,
        detail: 'the service publishes maintenance windows and none of its open ones contains this window',
        serviceIds: [serviceId],
        cis: [],
        start: null,
        end: null,
      });
    }
  }

  for (const other of candidates.changes) {
    if (!overlaps(window, other)) continue;
    const sharedServices = other.serviceIds.filter((id) => services.has(id));
    const sharedCis = other.cis.filter((ci) => cis.has(ci));
    if (sharedServices.length === 0 && sharedCis.length === 0) continue;
    const on = [...sharedCis.map((ci) => `CI ${ci}`), ...(sharedServices.length ? [`${sharedServices.length} shared service(s)`] : [])].join(', ');
    conflicts.push({
      kind: 'change-overlap',
      withId: other.id,
      detail: `overlaps ${other.reference} (${other.state}) on ${on}`,
      serviceIds: sharedServices,
      cis: sharedCis,
      start: iso(other.start),
      end: iso(other.end),
    });
  }
  return conflicts;
}
