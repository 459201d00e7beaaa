import { businessTimeBetween, type CalendarDefinition } from './calendar';

// Service availability (ISO/IEC 20000-1 clause 8.7.2) measured from outage records against the agreed service
// hours of the service's business calendar. Pure, so the API, the monthly reports and the breach mail agree.

export interface OutageSpan {
  startMs: number;
  /** null while the outage is still open: it counts up to the end of the period or now, whichever is earlier. */
  endMs: number | null;
  /** Announced downtime (a change's declared window): excluded from the agreed hours instead of counted against them. */
  planned: boolean;
}

export interface AvailabilityFigures {
  /** Business seconds of the service's calendar in the period (up to now): the agreed service hours. */
  agreedSeconds: number;
  plannedDowntimeSeconds: number;
  /** Unplanned downtime inside service hours that no planned outage already covers. */
  unplannedDowntimeSeconds: number;
  /** (agreed − planned − unplanned) / (agreed − planned), in percent to one decimal; null when nothing was agreed. */
  availabilityPercent: number | null;
}

/** [start, end) in epoch ms. */
type Span = readonly [number, number];

/**
 * Availability of one service over [fromMs, toMs). Agreed hours that have not come yet (after `nowMs`) are not
 * counted, so a month still running shows its figure so far. Overlapping outages count once.
 */
export function availabilityOver(calendar: CalendarDefinition, outages: OutageSpan[], fromMs: number, toMs: number, nowMs: number): AvailabilityFigures {
  const end = Math.min(toMs, nowMs);
  if (end <= fromMs) return { agreedSeconds: 0, plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 0, availabilityPercent: null };
  const clipped = (planned: boolean) =>
    outages.filter((outage) => outage.planned === planned).map((outage): Span => [Math.max(outage.startMs, fromMs), Math.min(outage.endMs ?? end, end)]);
  const planned = union(clipped(true));
  const unplanned = subtract(union(clipped(false)), planned);
  const serviceSeconds = (spans: Span[]) => spans.reduce((sum, [start, stop]) => sum + businessTimeBetween(calendar, start, stop), 0);
  const agreedSeconds = businessTimeBetween(calendar, fromMs, end);
  const plannedDowntimeSeconds = serviceSeconds(planned);
  const unplannedDowntimeSeconds = serviceSeconds(unplanned);
  const committed = agreedSeconds - plannedDowntimeSeconds;
  return {
    agreedSeconds,
    plannedDowntimeSeconds,
    unplannedDowntimeSeconds,
    availabilityPercent: committed <= 0 ? null : Math.round(((committed - unplannedDowntimeSeconds) / committed) * 1_000) / 10,
  };
}

/** Whether a month's figure misses the service's target; no target or no figure is no breach. */
export function availabilityBreached(figure: number | null, targetPercent: number | null): boolean {
  return figure !== null && targetPercent !== null && figure < targetPercent;
}

/** Sorted, disjoint spans covering exactly what the given spans cover; empty spans are dropped. */
function union(spans: Span[]): Span[] {
  const sorted = spans.filter(([start, stop]) => stop > start).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, stop] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], stop);
    else merged.push([start, stop]);
  }
  return merged;
}

/** What of `spans` lies outside `holes`; both sorted and disjoint. */
function subtract(spans: Span[], holes: Span[]): Span[] {
  const rest: Span[] = [];
  for (const [start, stop] of spans) {
    let from = start;
    for (const [holeStart, holeStop] of holes) {
      if (holeStop <= from || holeStart >= stop) continue;
      if (holeStart > from) rest.push([from, holeStart]);
      from = Math.max(from, holeStop);
    }
    if (from < stop) rest.push([from, stop]);
  }
  return rest;
}
