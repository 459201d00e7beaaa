// Whether a business calendar knows the holidays of the year its deadlines will fall in. A calendar without them
// counts a year's holidays (2027's Spring Festival) as working days and nobody notices, so from 1 November the
// owner is told, weekly, until the coming year has data.

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1 November to 31 December: from then on the coming year is the one that must be covered. */
const WARNING_DAYS = 61;

export interface CoverageFacts {
  alwaysOpen: boolean;
  /** date-holidays computes any year, so a calendar with a preset is covered indefinitely. */
  holidayPresets: string[];
  /** Every 'YYYY-MM-DD' holiday its explicit dates, package, feed and uploaded sources give. */
  holidays: string[];
}

/** `coveredUntil` is the last day of the last year with holiday data; null with `indefinitely`, or with no data at all. */
export interface Coverage {
  coveredUntil: string | null;
  indefinitely: boolean;
}

export function holidayCoverage({ alwaysOpen, holidayPresets, holidays }: CoverageFacts): Coverage {
  if (alwaysOpen || holidayPresets.length > 0) return { coveredUntil: null, indefinitely: true };
  const lastYear = holidays.reduce((latest, date) => Math.max(latest, Number(date.slice(0, 4))), 0);
  return { coveredUntil: lastYear ? `${lastYear}-12-31` : null, indefinitely: false };
}

export function coversYear(facts: CoverageFacts, year: number): boolean {
  if (holidayCoverage(facts).indefinitely) return true;
  return facts.holidays.some((date) => date.startsWith(`${year}-`));
}

/** The year whose holidays must be known at `atMs`: the current one, or from 1 November (UTC) the next. */
export function requiredYear(atMs: number): number {
  return new Date(atMs + WARNING_DAYS * DAY_MS).getUTCFullYear();
}

/**
 * Which alert week `atMs` falls in, counted from the 1 November before the required year: one alert per calendar
 * and recipient in each, so a daily check mails once a week.
 */
export function alertWeek(atMs: number): number {
  return Math.floor((atMs - Date.UTC(requiredYear(atMs) - 1, 10, 1)) / WEEK_MS);
}
