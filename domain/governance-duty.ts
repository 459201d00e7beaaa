// The lifecycle every governance duty shares (supplier reviews, continuity tests, competence reviews): the
// process opens the record once it knows the deadline, one named person completes it while it is due, and a
// timer escalates it to the managers if it is still due at the deadline (ISO/IEC 20000-1 asks that the person
// accountable acts in time, and that management hears when they do not).
import type { TransitionRule, TransitionTable } from './transitions';

/** What every duty's table has besides its completing step. */
export type DutyCommand = 'open' | 'escalate';

export interface DutyLifecycle<S extends string, C extends string> {
  noun: string;
  /** The first is where the record starts, while the process gathers what the duty needs. */
  states: readonly [S, ...S[]];
  /** The state in which the duty waits for its person. */
  due: S;
  /** The person's step, and the final states it may lead to. */
  complete: C;
  done: readonly S[];
}

export function dutyTransitions<S extends string, C extends string>({ noun, states, due, complete, done }: DutyLifecycle<S, C>): TransitionTable<S, C | DutyCommand> {
  const rules = {
    open: { from: [states[0]], to: [due], by: 'process' },
    [complete]: { from: [due], to: done, by: 'person' },
    // Past the deadline the managers are told; the duty is still due.
    escalate: { from: [due], to: [], by: 'timer' },
  } as Record<C | DutyCommand, TransitionRule<S>>;
  return { noun, states, initial: states[0], final: done, rules };
}
