import { addBusinessTime, ALWAYS_OPEN, type CalendarDefinition } from '../../domain/calendar';
import { olaReminderAt, pauseClock, requestTimers, resumeClock, startClock, tasksToOpen, type SlaClock, type TaskProgress } from '../../domain/request';
import { answerProblems, formProblems, type RequestForm } from '../../domain/request-form';

const LAPTOP: RequestForm = {
  type: 'object',
  required: ['model', 'neededBy'],
  properties: {
    model: { type: 'string', title: 'Model', enum: ['14-inch', '16-inch'] },
    neededBy: { type: 'string', title: 'Needed by', format: 'date' },
    forUser: { type: 'string', format: 'user' },
    system: { type: 'string', format: 'ci' },
    notes: { type: 'string', maxLength: 10 },
  },
};

// Shanghai office hours, as the demo calendar has them: 09:00-12:00 and 13:30-18:00, Monday to Friday.
const SHANGHAI: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  alwaysOpen: false,
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '12:00'], ['13:30', '18:00']]])),
  holidays: ['2026-10-01'],
  extraWorkingDays: [],
};
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('catalogue forms', () => {
  it('names each field a form refuses: unknown, missing, not an option, not a date, not an id, too long', () => {
    const issues = answerProblems(LAPTOP, { model: 'gold', neededBy: '2027-02-29', forUser: 'riley', system: 42, notes: 'far too long here', colour: 'red' });
    expect(issues.map((i) => i.field).sort()).toEqual(['colour', 'forUser', 'model', 'neededBy', 'notes', 'system']);
    expect(answerProblems(LAPTOP, { model: '14-inch' })).toEqual([{ field: 'neededBy', message: 'Needed by is required' }]);
    expect(answerProblems(LAPTOP, { model: '16-inch', neededBy: '2028-02-29', forUser: '0191d2a4-5b6c-7d8e-9f00-112233445566' })).toEqual([]);
  });

  it('refuses forms a manager defines wrongly: a required field it lacks, a choice without options or with a format', () => {
    expect(formProblems({ type: 'object', required: ['a', 'model'], properties: { model: { type: 'string', enum: [], format: 'date' } } }).map((i) => i.field)).toEqual(['properties.model.format', 'properties.model.enum', 'required.0']);
  });
});

describe('request clocks on a business calendar', () => {
  it('pausing keeps the business time left; resuming counts it from the answer, over the lunch break, the night and a holiday', () => {
    // Submitted Wednesday 30 September 16:00 with 4 business hours: 2 h that day, none on the 1 October holiday,
    // 2 h from Friday 09:00, so due 11:00.
    const clock: SlaClock = startClock(SHANGHAI, at('2026-09-30T16:00:00'), 4 * 3_600);
    expect(new Date(clock.dueAt!).toISOString()).toBe(new Date(at('2026-10-02T11:00:00')).toISOString());
    // Asked for more at 17:00 (1 h used, 3 h left); answered Friday 11:00: due after lunch, 15:30.
    pauseClock(SHANGHAI, clock, at('2026-09-30T17:00:00'));
    expect(clock).toMatchObject({ dueAt: null, remainingSeconds: 3 * 3_600 });
    resumeClock(SHANGHAI, clock, at('2026-10-02T11:00:00'));
    expect(new Date(clock.dueAt!).toISOString()).toBe(new Date(at('2026-10-02T15:30:00')).toISOString());
    expect(clock.remainingSeconds).toBeNull();
  });

  it('opens tasks in order or all at once, and times only what the state waits for', () => {
    const task = (position: number, phase: TaskProgress['phase']): TaskProgress => ({ id: `t${position}`, position, name: `task ${position}`, groupId: 'g', phase, assigneeId: null, openedAt: phase === 'open' ? 2_000 : null, olaDueAt: phase === 'open' ? 10_000 : null, completedAt: null, olaBreached: false, escalationLevel: 0, olaPausedSecondsLeft: null });
    const tasks = [task(0, 'done'), task(1, 'waiting'), task(2, 'waiting')];
    expect(tasksToOpen('ordered', tasks).map((t) => t.id)).toEqual(['t1']);
    expect(tasksToOpen('parallel', tasks).map((t) => t.id)).toEqual(['t1', 't2']);
    expect(tasksToOpen('ordered', [task(0, 'open'), task(1, 'waiting')])).toEqual([]);
    const running = { dueAt: 20_000, metAt: null, breached: false, remainingSeconds: null };
    const clocks = { approvalDueAt: 5_000, approvalRemindBeforeSeconds: [2], response: running, fulfilment: { ...running, dueAt: 30_000 }, tasks: [task(0, 'open')], olaReminderAt: (t: TaskProgress) => olaReminderAt(ALWAYS_OPEN, t, 8)!, fulfilledAt: null, autoCloseAfterSeconds: 60 };
    expect(requestTimers({ ...clocks, state: 'approval' }).map((t) => `${t.key}@${t.at}`)).toEqual(['approval-reminder:2@3000', 'approval-escalation@5000']);
    expect(requestTimers({ ...clocks, state: 'fulfilment' }).map((t) => `${t.key}@${t.at}`)).toEqual(['ola-reminder:t0@8000', 'ola-breach:t0@10000', 'response-breach@20000', 'fulfilment-breach@30000']);
    expect(requestTimers({ ...clocks, state: 'info_needed' })).toEqual([]);
    expect(requestTimers({ ...clocks, state: 'fulfilled', fulfilledAt: 40_000 }).map((t) => `${t.key}@${t.at}`)).toEqual(['auto-close@100000']);
  });

  it("reminds a task's group with a quarter of the OLA's business time left, not a quarter of clock time before its end", () => {
    // Opened Friday 2 October 16:00 with a 12-hour OLA: 2 h that day, 7.5 h on Monday, 2.5 h on Tuesday, due 11:30.
    const opened = at('2026-10-02T16:00:00');
    const task: TaskProgress = { id: 't', position: 0, name: 'set up', groupId: 'g', phase: 'open', assigneeId: null, openedAt: opened, olaDueAt: startClock(SHANGHAI, opened, 12 * 3_600).dueAt, completedAt: null, olaBreached: false, escalationLevel: 0, olaPausedSecondsLeft: null };
    expect(new Date(task.olaDueAt!).toISOString()).toBe(new Date(at('2026-10-06T11:30:00')).toISOString());
    // 3 business hours before: Tuesday 09:00-11:30 and Monday 17:30-18:00; clock time would say Tuesday 08:30.
    expect(new Date(olaReminderAt(SHANGHAI, task, 12 * 3_600)!).toISOString()).toBe(new Date(at('2026-10-05T17:30:00')).toISOString());
    expect(new Date(olaReminderAt(SHANGHAI, task, 12 * 3_600, true)!).toISOString()).toBe(new Date(at('2026-10-06T08:30:00')).toISOString());
    // Replayed requests keep the first rule to the millisecond: a quarter of a 2-second OLA is 500 ms.
    expect(olaReminderAt(SHANGHAI, task, 2, true)).toBe(task.olaDueAt! - 500);
    // A pause that moved the deadline by a business day moves the reminder with it.
    const paused = { ...task, olaDueAt: addBusinessTime(SHANGHAI, task.olaDueAt!, 7.5 * 3_600) };
    expect(new Date(olaReminderAt(SHANGHAI, paused, 12 * 3_600)!).toISOString()).toBe(new Date(at('2026-10-06T17:30:00')).toISOString());
  });
});
