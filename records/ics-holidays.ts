// ical.js is published as an ES module only; this project's modules are CommonJS, so it is loaded with import().
type Ical = (typeof import('ical.js', { with: { 'resolution-mode': 'import' } }))['default'];
type IcalTime = InstanceType<Ical['Time']>;

export interface SourceDays {
  holidays: string[];
  workingDays: string[];
}

// Apple's marker for a weekend day worked in exchange for a holiday (China's 调休); the feeds that publish make-up
// days (chinese-days' own .ics among them) use it.
const WORKING_DAY_MARKER = 'ALTERNATE-WORKDAY';
/** A recurring holiday (RRULE) is expanded this many years past `fromYear`. */
const RECURRENCE_YEARS = 3;

/**
 * The all-day events of an iCalendar text as holidays, or as working days where the feed marks them so. Timed
 * events are not days off and are left out. Throws on text that is not iCalendar or has no all-day event: a feed
 * that suddenly says nothing must not wipe a year of holidays.
 */
export async function parseIcsDays(text: string, fromYear: number): Promise<SourceDays> {
  const { default: ICAL } = await import('ical.js');
  let root: InstanceType<Ical['Component']>;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (error) {
    throw new Error(`not an iCalendar file: ${(error as Error).message}`);
  }
  if (root.name !== 'vcalendar') throw new Error(`not an iCalendar file: its root is ${root.name || 'missing'}, not VCALENDAR`);
  const holidays = new Set<string>();
  const workingDays = new Set<string>();
  const until = ICAL.Time.fromDateString(`${fromYear + RECURRENCE_YEARS}-12-31`);
  for (const component of root.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(component);
    if (!event.startDate?.isDate) continue;
    const days = component.getFirstPropertyValue('x-apple-special-day') === WORKING_DAY_MARKER ? workingDays : holidays;
    const lengthDays = Math.max(1, event.endDate ? event.endDate.subtractDate(event.startDate).toSeconds() / 86_400 : 1);
    const starts = event.isRecurring() ? occurrences(event.iterator(), until) : [event.startDate];
    for (const start of starts) {
      for (let offset = 0; offset < lengthDays; offset++) {
        const day = start.clone();
        day.adjust(offset, 0, 0, 0);
        days.add(day.toString());
      }
    }
  }
  if (holidays.size + workingDays.size === 0) throw new Error('the iCalendar file has no all-day events');
  return { holidays: [...holidays].sort(), workingDays: [...workingDays].sort() };
}

function occurrences(iterator: { next(): IcalTime | null }, until: IcalTime) {
  const starts: IcalTime[] = [];
  for (let next = iterator.next(); next && next.compare(until) <= 0; next = iterator.next()) starts.push(next);
  return starts;
}
