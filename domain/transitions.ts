// One shape for every record process's lifecycle: which commands exist, from which states, to which states,
// and who takes them. Workflows (through the kernel), the API's 409 answers, the action-link pages and the
// README's state diagrams all read the same table.

export interface TransitionRule<S extends string> {
  readonly from: readonly S[];
  /** Where it may lead. Empty: the state stays as it is (a note, a priority change, a reminder). */
  readonly to: readonly S[];
  /** When set, the command may also leave the state as it is (assigning an incident already in progress). */
  readonly stays?: boolean;
  /** Who takes it: a person through an Update, or the process itself (a timer, an activity's result, a signal). */
  readonly by: 'person' | 'timer' | 'process';
}

export interface TransitionTable<S extends string, C extends string> {
  /** How the record is named in refusals ("the incident is closed"). */
  readonly noun: string;
  readonly states: readonly S[];
  readonly initial: S;
  readonly final: readonly S[];
  readonly rules: { readonly [K in C]: TransitionRule<S> };
}

/** Why `command` is not allowed in `state`, or null when it is. */
export function illegalCommand<S extends string, C extends string>(table: TransitionTable<S, C>, command: C, state: S): string | null {
  const rule = table.rules[command];
  if (rule.from.includes(state)) return null;
  return `${command} is not allowed while the ${table.noun} is ${state} (allowed from: ${rule.from.join(', ')})`;
}

/**
 * The state after a legal `command` from `state`: `to` when the caller chose among several targets, else the
 * rule's only target, else the state itself. Throws on a target the table does not allow: that is a bug in the
 * process, never a user's mistake.
 */
export function targetState<S extends string, C extends string>(table: TransitionTable<S, C>, command: C, state: S, to?: S): S {
  const rule = table.rules[command];
  const target = to ?? (rule.to.length === 1 ? rule.to[0] : state);
  const allowed = target === state ? rule.to.length === 0 || rule.stays === true || rule.to.includes(state) : rule.to.includes(target);
  if (!allowed) throw new Error(`${table.noun} table: ${command} from ${state} cannot lead to ${target}`);
  return target;
}

export const isFinal = <S extends string, C extends string>(table: TransitionTable<S, C>, state: S): boolean => table.final.includes(state);
