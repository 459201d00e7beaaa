// Monthly service reports (ISO/IEC 20000-1 clause 6.3.3): targets against achievement, this month beside the
// month before.
import type { AvailabilityFigures } from './availability';
import { complaintFigures } from './complaint';
import { satisfactionFigures, type SatisfactionFigures } from './satisfaction';

export interface MonthFacts {
  incidents: { priority: string; responseBreached: boolean; resolutionBreached: boolean }[];
  changes: { outcome: string | null }[];
  /** The scores of the surveys answered in the month. */
  surveyScores: number[];
  complaints: { state: string; escalationLevel: number }[];
  /** Measured from the month's outages on the service's agreed hours. */
  availability: AvailabilityFigures;
  /** Requests fulfilled in the month, by the item requested. */
  requests: { item: string; fulfilmentBreached: boolean }[];
}

export interface RequestFigures {
  fulfilled: number;
  onTimePercent: number | null;
}

export interface MonthFigures {
  incidents: number;
  byPriority: Record<string, number>;
  responseSlaPercent: number | null;
  resolutionSlaPercent: number | null;
  changes: number;
  changeSuccessPercent: number | null;
  /** From outages on the agreed service hours; availabilityPercent is null when the month had none. */
  availability: AvailabilityFigures;
  satisfaction: SatisfactionFigures;
  /** Complaints received in the month: how many, how many are closed, how many were escalated. */
  complaints: { received: number; closed: number; escalated: number };
  /** Service requests fulfilled in the month, and the share within their fulfilment SLA, overall and per item. */
  requests: RequestFigures & { byItem: Record<string, RequestFigures> };
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1_000) / 10);

export function monthFigures(facts: MonthFacts): MonthFigures {
  const { incidents, changes } = facts;
  return {
    incidents: incidents.length,
    byPriority: Object.fromEntries(['P1', 'P2', 'P3', 'P4'].map((p) => [p, incidents.filter((i) => i.priority === p).length])),
    responseSlaPercent: percent(incidents.filter((i) => !i.responseBreached).length, incidents.length),
    resolutionSlaPercent: percent(incidents.filter((i) => !i.resolutionBreached).length, incidents.length),
    changes: changes.length,
    changeSuccessPercent: percent(changes.filter((c) => c.outcome === 'successful').length, changes.length),
    availability: facts.availability,
    satisfaction: satisfactionFigures(facts.surveyScores),
    complaints: complaintFigures(facts.complaints),
    requests: { ...requestFigures(facts.requests), byItem: Object.fromEntries([...new Set(facts.requests.map((r) => r.item))].sort().map((item) => [item, requestFigures(facts.requests.filter((r) => r.item === item))])) },
  };
}

const requestFigures = (requests: MonthFacts['requests']): RequestFigures => ({ fulfilled: requests.length, onTimePercent: percent(requests.filter((r) => !r.fulfilmentBreached).length, requests.length) });

/** The calendar month (UTC) before the one `at` falls in, and the month before that. */
export function reportMonths(at: number): { current: { start: Date; end: Date }; previous: { start: Date; end: Date } } {
  const now = new Date(at);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const previousStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1);
  return { current: { start: new Date(start), end: new Date(end) }, previous: { start: new Date(previousStart), end: new Date(start) } };
}

/** The warning beside SLA figures computed on calendars that did not know the year's holidays. */
export function uncoveredNote(calendars: string[], year: number): string {
  return `SLA figures are unreliable: calendar(s) ${calendars.join(', ')} had no holiday data for ${year}, so its holidays counted as working time.`;
}
