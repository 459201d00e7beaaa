import { illegalCommand, isFinal, targetState, type TransitionTable } from '../../domain/transitions';

type State = 'open' | 'working' | 'parked' | 'done';
type Command = 'start' | 'finish' | 'route' | 'note' | 'assign' | 'broken';

// A ticket that can be started, routed on to one of two states, noted, (re)assigned while working, and finished.
const TABLE: TransitionTable<State, Command> = {
  noun: 'ticket',
  states: ['open', 'working', 'parked', 'done'],
  initial: 'open',
  final: ['done'],
  rules: {
    start: { from: ['open'], to: ['working'], by: 'person' },
    finish: { from: ['working', 'parked'], to: ['done'], by: 'person' },
    route: { from: ['open'], to: ['working', 'parked'], by: 'process' },
    note: { from: ['open', 'working', 'parked'], to: [], by: 'person' },
    assign: { from: ['open', 'working'], to: ['working'], stays: true, by: 'person' },
    broken: { from: ['open'], to: ['parked', 'done'], by: 'timer' },
  },
};

describe('illegalCommand', () => {
  it('is null when the table allows the command in the state', () => {
    expect(illegalCommand(TABLE, 'start', 'open')).toBeNull();
    expect(illegalCommand(TABLE, 'finish', 'parked')).toBeNull();
  });

  it('names the command, the noun, the state and where it is allowed from', () => {
    expect(illegalCommand(TABLE, 'finish', 'open')).toBe('finish is not allowed while the ticket is open (allowed from: working, parked)');
    expect(illegalCommand(TABLE, 'note', 'done')).toBe('note is not allowed while the ticket is done (allowed from: open, working, parked)');
  });
});

describe('targetState', () => {
  it('takes the only target of a rule with one', () => {
    expect(targetState(TABLE, 'start', 'open')).toBe('working');
    expect(targetState(TABLE, 'finish', 'parked')).toBe('done');
  });

  it('takes the target the caller chose among several', () => {
    expect(targetState(TABLE, 'route', 'open', 'working')).toBe('working');
    expect(targetState(TABLE, 'route', 'open', 'parked')).toBe('parked');
  });

  it('stays where it is for a rule with an empty `to`', () => {
    expect(targetState(TABLE, 'note', 'parked')).toBe('parked');
    expect(targetState(TABLE, 'note', 'working', 'working')).toBe('working');
  });

  it('stays when the rule says it may, and moves when asked', () => {
    expect(targetState(TABLE, 'assign', 'working')).toBe('working');
    expect(targetState(TABLE, 'assign', 'open')).toBe('working');
    expect(targetState(TABLE, 'assign', 'open', 'open')).toBe('open');
  });

  it('throws on a target the table does not allow: a bug in the process, not a refusal', () => {
    expect(() => targetState(TABLE, 'start', 'open', 'done')).toThrow('ticket table: start from open cannot lead to done');
    expect(() => targetState(TABLE, 'note', 'open', 'working')).toThrow('ticket table: note from open cannot lead to working');
    // Several targets and none chosen: staying is not among them.
    expect(() => targetState(TABLE, 'broken', 'open')).toThrow('ticket table: broken from open cannot lead to open');
    // A rule without `stays` does not allow staying where it is.
    expect(() => targetState(TABLE, 'route', 'open', 'open')).toThrow('cannot lead to open');
  });
});

it('isFinal reads the table', () => {
  expect(isFinal(TABLE, 'done')).toBe(true);
  expect(isFinal(TABLE, 'parked')).toBe(false);
});
