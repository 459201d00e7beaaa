import {
  ALWAYS_OPEN,
  type CalendarDefinition,
  WEEKDAYS,
  type Weekday,
  type WorkingInterval,
  addBusinessTime,
  businessTimeBetween,
  calendarProblems,
  isBusinessInstant,
  nextBusinessInstant,
} from '../../domain/calendar';
import { expandHolidayPresets, isKnownHolidayPreset } from '../../domain/holiday-presets';
import { alertWeek, coversYear, holidayCoverage, requiredYear } from '../../domain/holiday-coverage';
import { readChineseDays } from '../../records/holiday-sources';

const HOUR = 3600;

/** Inclusive list of 'YYYY-MM-DD' dates. */
function dates(first: string, last: string): string[] {
  const result: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    result.push(new Date(t).toISOString().slice(0, 10));
  }
  return result;
}

const WORKDAYS = WEEKDAYS.slice(0, 5);

function weekly(days: readonly Weekday[], intervals: WorkingInterval[]): CalendarDefinition['weekly'] {
  return Object.fromEntries(days.map((day) => [day, intervals]));
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Shanghai wall-clock time ('2026-03-06T17:30') as epoch ms; Shanghai is UTC+8 all year. */
const shanghai = (local: string) => Date.parse(`${local}:00+08:00`);

const SHANGHAI_2026: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  alwaysOpen: false,
  weekly: weekly(WORKDAYS, [
    ['09:00', '12:00'],
    ['13:30', '18:00'],
  ]),
  holidays: [
    ...dates('2026-01-01', '2026-01-03'),
    ...dates('2026-02-15', '2026-02-23'),
    ...dates('2026-04-04', '2026-04-06'),
    ...dates('2026-05-01', '2026-05-05'),
    ...dates('2026-06-19', '2026-06-21'),
    ...dates('2026-09-25', '2026-09-27'),
    ...dates('2026-10-01', '2026-10-07'),
  ],
  extraWorkingDays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
};

function officeHours(timeZone: string): CalendarDefinition {
  return {
    timeZone,
    alwaysOpen: false,
    weekly: weekly(WORKDAYS, [['09:00', '17:00']]),
    holidays: [],
    extraWorkingDays: [],
  };
}

// The same office hours with China's official days as the chinese-days package has them, every year it knows:
// the product's CN-Shanghai calendar. Its 2026 deadlines must be those of the hand-typed notice above.
const CHINESE_DAYS = readChineseDays();
const SHANGHAI_FROM_PACKAGE: CalendarDefinition = { ...SHANGHAI_2026, holidays: CHINESE_DAYS.holidays, extraWorkingDays: CHINESE_DAYS.workingDays };
const SHANGHAI_CALENDARS: [string, CalendarDefinition][] = [
  ['hand-typed', SHANGHAI_2026],
  ['chinese-days', SHANGHAI_FROM_PACKAGE],
];

const LONDON = officeHours('Europe/London');
const NEW_YORK = officeHours('America/New_York');

describe.each(SHANGHAI_CALENDARS)('business calendar: Shanghai 2026 with lunch break, holidays and make-up days (%s)', (_source, SHANGHAI) => {
  it('a P3 raised Friday 17:30 with an 8 business-hour target is due Monday 18:00', () => {
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-03-06T17:30'), 8 * HOUR))).toBe('2026-03-09T10:00:00.000Z');
  });

  it('skips the lunch break: Tuesday 11:00 + 2h is 14:30', () => {
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-03-10T11:00'), 2 * HOUR))).toBe('2026-03-10T06:30:00.000Z');
  });

  it('ends at the end of an interval when the duration is used up exactly there', () => {
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-03-10T10:00'), 2 * HOUR))).toBe('2026-03-10T04:00:00.000Z');
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-03-10T17:00'), HOUR))).toBe('2026-03-10T10:00:00.000Z');
  });

  it('counts the make-up Saturday before the Spring Festival', () => {
    // Friday 17:00-18:00 is 1h, Saturday 14 Feb 09:00-12:00 is 3h more.
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-02-13T17:00'), 4 * HOUR))).toBe('2026-02-14T04:00:00.000Z');
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-02-13T17:00'), 5 * HOUR))).toBe('2026-02-14T06:30:00.000Z');
  });

  it('skips the Spring Festival holidays 15-23 Feb', () => {
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2026-02-14T17:00'), 2 * HOUR))).toBe('2026-02-24T02:00:00.000Z');
    // Friday 13th and make-up Saturday 14th are 7.5h each; nothing until Tuesday 24th.
    expect(businessTimeBetween(SHANGHAI, shanghai('2026-02-13T09:00'), shanghai('2026-02-24T09:00'))).toBe(15 * HOUR);
    expect(businessTimeBetween(SHANGHAI, shanghai('2026-02-14T18:00'), shanghai('2026-02-24T09:00'))).toBe(0);
  });

  it('skips New Year 1-3 Jan and works the make-up Sunday 4 Jan', () => {
    expect(iso(addBusinessTime(SHANGHAI, shanghai('2025-12-31T17:00'), 2 * HOUR))).toBe('2026-01-04T02:00:00.000Z');
  });

  it('credits exactly the business time a pause over the weekend covered', () => {
    const pausedAt = shanghai('2026-03-06T16:00');
    const resumedAt = shanghai('2026-03-09T10:00');
    expect(businessTimeBetween(SHANGHAI, pausedAt, resumedAt)).toBe(3 * HOUR);

    const openedAt = shanghai('2026-03-05T10:00');
    const target = 16 * HOUR;
    const elapsedBeforePause = businessTimeBetween(SHANGHAI, openedAt, pausedAt);
    const due = addBusinessTime(SHANGHAI, resumedAt, target - elapsedBeforePause);
    // Thursday 6.5h + Friday 09:00-16:00 5.5h = 12h before the pause; 4h from Monday 10:00 ends at 15:30.
    expect(elapsedBeforePause).toBe(12 * HOUR);
    expect(iso(due)).toBe('2026-03-09T07:30:00.000Z');
    expect(elapsedBeforePause + businessTimeBetween(SHANGHAI, resumedAt, due)).toBe(target);
    expect(due).toBe(addBusinessTime(SHANGHAI, openedAt, target + 3 * HOUR));
  });

  it('returns a negative duration when the end is before the start', () => {
    expect(businessTimeBetween(SHANGHAI, shanghai('2026-03-09T10:00'), shanghai('2026-03-06T16:00'))).toBe(-3 * HOUR);
  });

  it('finds the next business instant', () => {
    expect(iso(nextBusinessInstant(SHANGHAI, shanghai('2026-03-07T10:00')))).toBe('2026-03-09T01:00:00.000Z');
    expect(iso(nextBusinessInstant(SHANGHAI, shanghai('2026-03-10T12:30')))).toBe('2026-03-10T05:30:00.000Z');
    expect(iso(nextBusinessInstant(SHANGHAI, shanghai('2026-03-10T18:00')))).toBe('2026-03-11T01:00:00.000Z');
    const inside = shanghai('2026-03-10T10:17');
    expect(nextBusinessInstant(SHANGHAI, inside)).toBe(inside);
  });

  it('tells business instants apart, interval end exclusive', () => {
    expect(isBusinessInstant(SHANGHAI, shanghai('2026-03-10T09:00'))).toBe(true);
    expect(isBusinessInstant(SHANGHAI, shanghai('2026-03-10T12:00'))).toBe(false);
    expect(isBusinessInstant(SHANGHAI, shanghai('2026-02-14T10:00'))).toBe(true);
    expect(isBusinessInstant(SHANGHAI, shanghai('2026-02-16T10:00'))).toBe(false);
    expect(isBusinessInstant(SHANGHAI, shanghai('2026-03-07T10:00'))).toBe(false);
  });
});

describe('business calendar across DST changes', () => {
  it('London spring forward (29 Mar 2026): Friday 16:00 GMT + 2h is Monday 10:00 BST', () => {
    expect(iso(addBusinessTime(LONDON, Date.parse('2026-03-27T16:00:00Z'), 2 * HOUR))).toBe('2026-03-30T09:00:00.000Z');
  });

  it('London fall back (25 Oct 2026): Friday 16:00 BST + 2h is Monday 10:00 GMT', () => {
    expect(iso(addBusinessTime(LONDON, Date.parse('2026-10-23T15:00:00Z'), 2 * HOUR))).toBe('2026-10-26T10:00:00.000Z');
  });

  it('New York spring forward (8 Mar 2026): Friday 16:00 EST + 2h is Monday 10:00 EDT', () => {
    expect(iso(addBusinessTime(NEW_YORK, Date.parse('2026-03-06T21:00:00Z'), 2 * HOUR))).toBe('2026-03-09T14:00:00.000Z');
  });

  it('New York fall back (1 Nov 2026): Friday 16:00 EDT + 2h is Monday 10:00 EST', () => {
    expect(iso(addBusinessTime(NEW_YORK, Date.parse('2026-10-30T20:00:00Z'), 2 * HOUR))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('a round-the-clock weekly calendar has a 23h spring-forward day and a 25h fall-back day', () => {
    const roundTheClock: CalendarDefinition = {
      timeZone: 'America/New_York',
      alwaysOpen: false,
      weekly: weekly(WEEKDAYS, [['00:00', '24:00']]),
      holidays: [],
      extraWorkingDays: [],
    };
    expect(businessTimeBetween(roundTheClock, Date.parse('2026-03-08T05:00:00Z'), Date.parse('2026-03-09T04:00:00Z'))).toBe(23 * HOUR);
    expect(businessTimeBetween(roundTheClock, Date.parse('2026-11-01T04:00:00Z'), Date.parse('2026-11-02T05:00:00Z'))).toBe(25 * HOUR);
    const saturdayNoon = Date.parse('2026-03-07T17:00:00Z');
    expect(addBusinessTime(roundTheClock, saturdayNoon, 48 * HOUR)).toBe(saturdayNoon + 48 * HOUR * 1000);
  });
});

describe('ALWAYS_OPEN', () => {
  const t = Date.parse('2026-03-07T10:00:00Z');

  it('adds and subtracts plain elapsed time', () => {
    expect(addBusinessTime(ALWAYS_OPEN, t, 90 * HOUR)).toBe(t + 90 * HOUR * 1000);
    expect(businessTimeBetween(ALWAYS_OPEN, t, t + 5_000)).toBe(5);
    expect(businessTimeBetween(ALWAYS_OPEN, t + 5_000, t)).toBe(-5);
    expect(nextBusinessInstant(ALWAYS_OPEN, t)).toBe(t);
    expect(isBusinessInstant(ALWAYS_OPEN, t)).toBe(true);
  });

  it('returns the start for a duration that is not positive', () => {
    expect(addBusinessTime(ALWAYS_OPEN, t, 0)).toBe(t);
    expect(addBusinessTime(SHANGHAI_2026, t, -HOUR)).toBe(t);
  });
});

describe('round trip: businessTimeBetween(start, addBusinessTime(start, d)) === d', () => {
  function lcg(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1664525 + 1013904223) % 2 ** 32;
      return state;
    };
  }

  it.each([
    ['Shanghai', SHANGHAI_2026],
    ['Shanghai from chinese-days', SHANGHAI_FROM_PACKAGE],
    ['London', LONDON],
  ])('holds for %s over 300 pseudo-random starts and durations', (_name, calendar) => {
    const random = lcg(20260101);
    const from = Date.parse('2025-12-20T00:00:00Z');
    const spanSeconds = 380 * 24 * HOUR;
    for (let i = 0; i < 300; i++) {
      const start = from + (random() % spanSeconds) * 1000 + (random() % 1000);
      const duration = 1 + (random() % (60 * HOUR));
      const due = addBusinessTime(calendar, start, duration);
      expect(Math.abs(businessTimeBetween(calendar, start, due) - duration)).toBeLessThanOrEqual(0.001);
      expect(isBusinessInstant(calendar, due - 1)).toBe(true);
    }
  });
});

describe('calendarProblems', () => {
  const fields = (calendar: CalendarDefinition) => calendarProblems(calendar).map((p) => p.field);

  it('accepts valid calendars', () => {
    expect(calendarProblems(SHANGHAI_2026)).toEqual([]);
    expect(calendarProblems(LONDON)).toEqual([]);
    expect(calendarProblems(ALWAYS_OPEN)).toEqual([]);
  });

  it('flags a bad zone, bad times, end <= start, overlaps, bad dates and no working time', () => {
    expect(fields({ ...LONDON, timeZone: 'Mars/Olympus_Mons' })).toEqual(['timeZone']);
    expect(fields({ ...LONDON, weekly: { mon: [['09:00', '25:00']] } })).toEqual(['weekly.mon.0']);
    expect(fields({ ...LONDON, weekly: { mon: [['9am', '17:00']] } })).toEqual(['weekly.mon.0']);
    expect(fields({ ...LONDON, weekly: { tue: [['17:00', '09:00']] } })).toEqual(['weekly.tue.0']);
    expect(fields({ ...LONDON, weekly: { tue: [['09:00', '09:00']] } })).toEqual(['weekly.tue.0']);
    expect(fields({ ...LONDON, weekly: { wed: [['13:00', '18:00'], ['09:00', '13:30']] } })).toEqual(['weekly.wed.0']);
    expect(fields({ ...LONDON, holidays: ['2026-02-30'], extraWorkingDays: ['26/12/2026'] })).toEqual([
      'holidays.0',
      'extraWorkingDays.0',
    ]);
    expect(fields({ ...LONDON, weekly: {} })).toEqual(['weekly']);
  });

  it('refuses to compute with an invalid calendar', () => {
    expect(() => addBusinessTime({ ...LONDON, timeZone: 'Mars/Olympus_Mons' }, 0, HOUR)).toThrow(/timeZone/);
  });

  it('throws rather than loops when no working day comes for years', () => {
    const mondaysOff: CalendarDefinition = {
      ...LONDON,
      weekly: { mon: [['09:00', '17:00']] },
      holidays: Array.from({ length: 5 * 53 }, (_, week) => new Date(Date.UTC(2026, 0, 5 + 7 * week)).toISOString().slice(0, 10)),
    };
    expect(() => addBusinessTime(mondaysOff, Date.parse('2026-01-01T00:00:00Z'), HOUR)).toThrow(/no working time/);
  });
});

describe('holiday presets', () => {
  it('expands GB 2026 public and bank holidays, including the Boxing Day substitute', () => {
    expect(expandHolidayPresets(['GB'], [2026])).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-12-25',
      '2026-12-26',
      '2026-12-28',
    ]);
  });

  it('adds regional holidays, deduplicated and sorted across presets and years', () => {
    const holidays = expandHolidayPresets(['GB', 'GB-ENG'], [2027, 2026]);
    expect(holidays).toContain('2026-08-31');
    expect(holidays).toEqual([...new Set(holidays)].sort());
    expect(expandHolidayPresets(['DE-BY'], [2026])).toContain('2026-01-06');
  });

  it('keeps only whole-day holidays', () => {
    const china = expandHolidayPresets(['CN'], [2026]);
    expect(china).toContain('2026-02-16');
    // Youth Day starts at noon and is for young employees only.
    expect(china).not.toContain('2026-05-04');
  });

  it('rejects unknown presets', () => {
    expect(isKnownHolidayPreset('GB')).toBe(true);
    expect(isKnownHolidayPreset('DE-BY')).toBe(true);
    expect(isKnownHolidayPreset('XX')).toBe(false);
    expect(isKnownHolidayPreset('DE-XX')).toBe(false);
    expect(() => expandHolidayPresets(['XX'], [2026])).toThrow('unknown holiday preset "XX"');
  });
});

describe('chinese-days package', () => {
  it("gives 2026's 33 holidays and 6 make-up working days, exactly the State Council's notice typed above", () => {
    const in2026 = (dates: string[]) => dates.filter((date) => date.startsWith('2026-'));
    expect(in2026(CHINESE_DAYS.holidays)).toEqual(SHANGHAI_2026.holidays);
    expect(in2026(CHINESE_DAYS.workingDays)).toEqual(SHANGHAI_2026.extraWorkingDays);
    expect(in2026(CHINESE_DAYS.holidays)).toHaveLength(33);
    expect(in2026(CHINESE_DAYS.workingDays)).toHaveLength(6);
  });

  it('knows earlier years too: 2025 Spring Festival and its make-up Sunday 26 January', () => {
    expect(CHINESE_DAYS.holidays).toContain('2025-01-29');
    expect(CHINESE_DAYS.workingDays).toContain('2025-01-26');
  });
});

describe('holiday coverage', () => {
  const facts = { alwaysOpen: false, holidayPresets: [] as string[], holidays: SHANGHAI_2026.holidays };
  const at = (iso: string) => Date.parse(iso);

  it('reaches the last day of the last year with holidays; presets and 24x7 calendars are covered indefinitely', () => {
    expect(holidayCoverage(facts)).toEqual({ coveredUntil: '2026-12-31', indefinitely: false });
    expect(holidayCoverage({ ...facts, holidays: [] })).toEqual({ coveredUntil: null, indefinitely: false });
    expect(holidayCoverage({ ...facts, holidayPresets: ['FR'] })).toEqual({ coveredUntil: null, indefinitely: true });
    expect(coversYear({ ...facts, alwaysOpen: true }, 2031)).toBe(true);
    expect(coversYear(facts, 2026)).toBe(true);
    expect(coversYear(facts, 2027)).toBe(false);
  });

  it('asks for the coming year from 1 November (UTC), and counts alert weeks from then', () => {
    expect(requiredYear(at('2026-10-31T23:59:59Z'))).toBe(2026);
    expect(requiredYear(at('2026-11-01T00:00:00Z'))).toBe(2027);
    expect(requiredYear(at('2027-01-10T00:00:00Z'))).toBe(2027);
    expect(alertWeek(at('2026-11-15T09:00:00Z'))).toBe(2);
    expect(alertWeek(at('2026-11-21T23:59:59Z'))).toBe(2);
    expect(alertWeek(at('2026-11-22T00:00:00Z'))).toBe(3);
  });
});
