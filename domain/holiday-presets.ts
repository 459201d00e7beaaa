import Holidays from 'date-holidays';

// Presets are expanded into plain dates outside workflows: calendar.ts, which workflow code imports, must not
// depend on date-holidays.

const DAY_OFF_TYPES = new Set(['public', 'bank']);
const MIDNIGHT = '00:00:00';

/** Country (and optional region, 'DE-BY') presets: public and bank holidays as 'YYYY-MM-DD' dates for the given years. */
export function expandHolidayPresets(presets: string[], years: number[]): string[] {
  const dates = new Set<string>();
  for (const code of presets) {
    if (!isKnownHolidayPreset(code)) throw new Error(`unknown holiday preset "${code}"`);
    const [country, state] = code.split('-');
    const holidays = state ? new Holidays(country, state) : new Holidays(country);
    for (const year of years) {
      for (const holiday of holidays.getHolidays(year)) {
        const [date, time] = holiday.date.split(' ');
        // A holiday starting at noon (e.g. China's Youth Day, half a day for some employees) is not a day off.
        if (DAY_OFF_TYPES.has(holiday.type) && time === MIDNIGHT) dates.add(date);
      }
    }
  }
  return [...dates].sort();
}

export function isKnownHolidayPreset(code: string): boolean {
  const [country, state, ...rest] = code.split('-');
  if (rest.length > 0) return false;
  const catalogue = new Holidays();
  if (!Object.hasOwn(catalogue.getCountries(), country)) return false;
  return state === undefined || Object.hasOwn(catalogue.getStates(country) ?? {}, state);
}
