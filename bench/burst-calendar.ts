import { WEEKDAYS } from '../domain/calendar';

const MINUTE = 60_000;

/**
 * A business calendar that is closed now and opens at the first whole minute after `earliest` (calendars are
 * written in HH:MM), every day from then until midnight. Its zone is chosen so that now and the opening fall on
 * the same local day: otherwise yesterday's hours would be open now. Fixed-offset zones have no daylight saving.
 */
export function calendarOpeningAt(earliest: number) {
  const at = Math.ceil(earliest / MINUTE) * MINUTE;
  const offsetHours = [0, -6, 6].find((hours) => {
    const local = (t: number) => new Date(t + hours * 3_600_000);
    return local(Date.now()).getUTCDate() === local(at).getUTCDate() && local(at).getUTCHours() < 23;
  });
  if (offsetHours === undefined) throw new Error('no time zone puts now and the opening on the same day');
  const local = new Date(at + offsetHours * 3_600_000);
  const start = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  // Etc/GMT-6 is six hours ahead of UTC (the sign is POSIX's).
  const timeZone = offsetHours === 0 ? 'UTC' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
  return { at, timeZone, weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, [[start, '24:00']]])) };
}
