import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { allHandlersFinished, ApplicationFailure, condition, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DeadlineTimer } from '../domain/deadlines';
import { illegalCommand, targetState, type TransitionTable } from '../domain/transitions';
import type { ITSM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { ILLEGAL_TRANSITION } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';

export type SearchAttributePair = [(typeof ITSM_SEARCH_ATTRIBUTES)[number], unknown];

export interface RecordProcessOptions<S extends string, C extends string> {
  table: TransitionTable<S, C>;
  /** Where the record starts (the table's initial state unless the opening routed it on). */
  state?: S;
  /** Heads every event and mail key (`<prefix>:<seq>:<kind>`); a function when the id is known only after opening. */
  keyPrefix: string | (() => string);
  /** Carried across continue-as-new, so keys never repeat. */
  seq?: number;
  /** What managers filter on in the Temporal UI; sent whenever the record moves, only the values that changed. */
  searchAttributes?: () => SearchAttributePair[];
  /** Prefixed to every refusal (e.g. the change's reference), so an API answer names the record. */
  refusalPrefix?: string;
  /**
   * The record as a manager reads it in the Temporal UI (Markdown: state, clocks, escalation, next deadline),
   * refreshed with the search attributes. Not a command, so it never touches replay.
   */
  details?: () => string;
}

export interface Transitioned<S> {
  from: S;
  to: S;
}

/**
 * What every record process shares. State changes go through `transition`, which checks the domain's table and
 * moves the state synchronously, so an Update handler that calls it before its first await leaves the state the
 * next Update's validator sees: two conflicting Updates in one activation give one success and one refusal.
 * Writes and mail are queued in order behind one serial queue, each with a key unique to this record.
 */
export class RecordProcess<S extends string, C extends string> {
  private current: S;
  private sequence: number;
  private moves = 0;
  /** A command whose outcome an activity is deciding (see `decided`): it holds the record until then. */
  private pending: C | null = null;
  private readonly queue = serialQueue();
  private readonly aside = serialQueue();
  private readonly upsert = searchAttributeSync();

  constructor(private readonly options: RecordProcessOptions<S, C>) {
    this.current = options.state ?? options.table.initial;
    this.sequence = options.seq ?? 0;
  }

  get state(): S {
    return this.current;
  }
  get seq(): number {
    return this.sequence;
  }
  /** Moves on every transition and `touch`: a loop waiting on it wakes when the record changed. */
  get revision(): number {
    return this.moves;
  }

  /** A refusal the API turns into its status (409 illegal, 403 not allowed, 409 schedule conflict). */
  refuse(type: string, command: C | string, message: string, extra: Record<string, unknown> = {}): never {
    const prefix = this.options.refusalPrefix ? `${this.options.refusalPrefix}: ` : '';
    throw ApplicationFailure.create({ type, message: `${prefix}${message}`, details: [{ state: this.current, command, ...extra }], nonRetryable: true });
  }

  /** Refuses `command` when the table does not allow it in the current state. */
  check(command: C): void {
    if (this.pending !== null) this.refuse(ILLEGAL_TRANSITION, command, `${command} must wait: a ${this.pending} of this ${this.options.table.noun} is still in progress`);
    const reason = illegalCommand(this.options.table, command, this.current);
    if (reason) this.refuse(ILLEGAL_TRANSITION, command, reason);
  }

  allows(command: C): boolean {
    return this.pending === null && illegalCommand(this.options.table, command, this.current) === null;
  }

  /** Checks and moves the state now, before anything is awaited; `to` picks among the rule's targets. */
  transition(command: C, to?: S): Transitioned<S> {
    this.check(command);
    const from = this.current;
    this.current = targetState(this.options.table, command, from, to);
    this.touch();
    return { from, to: this.current };
  }

  /**
   * A transition that an activity decides (a schedule the calendar may refuse): from the check until `decide`
   * settles, every command is refused, this one included, so nothing moves the state while it awaits. `decide`
   * returns the target (nothing: the rule's only one) or throws its refusal; the move follows at once.
   */
  async decided(command: C, decide: () => Promise<S | void>): Promise<Transitioned<S>> {
    this.check(command);
    this.pending = command;
    try {
      const to = await decide();
      this.pending = null;
      return this.transition(command, to ?? undefined);
    } finally {
      this.pending = null;
    }
  }

  /** Marks a change that is not a state move (an escalation, a new deadline) and syncs the search attributes. */
  touch(): void {
    this.moves++;
    this.sync();
  }

  sync(): void {
    if (this.options.searchAttributes) this.upsert(this.options.searchAttributes());
    if (this.options.details) setCurrentDetails(this.options.details());
  }

  /** The next key of this record's event or mail stream. */
  key(kind: string): string {
    const prefix = typeof this.options.keyPrefix === 'function' ? this.options.keyPrefix() : this.options.keyPrefix;
    return `${prefix}:${++this.sequence}:${kind}`;
  }

  /** Runs `work` after everything queued before it: a later snapshot never lands before an earlier one. */
  write<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }

  /** Queues a keyed mail (or any fire-and-forget step) behind the writes before it. */
  send(kind: string, work: (key: string) => Promise<unknown>): void {
    const key = this.key(kind);
    void this.queue.run(() => work(key));
  }

  /**
   * Queues `work` after the writes queued so far, on a queue of its own that nothing but `drain` waits for: mail
   * that must see the record it is about, yet must not hold up the next deadline's write. In order among itself.
   */
  later(work: () => Promise<unknown>): void {
    const written = this.queue.drained();
    void this.aside.run(async () => {
      await written;
      await work();
    });
  }

  query<R>(definition: QueryDefinition<R>, handler: () => R): void {
    setHandler(definition, handler);
  }

  /**
   * Registers an Update whose validator checks the table for `command`, then `validate`; `run` must call
   * `transition` (or otherwise change what the next validator reads) before its first await.
   */
  update<R, A extends [unknown]>(definition: UpdateDefinition<R, A>, command: C, run: (...args: A) => Promise<R> | R, validate?: (...args: A) => void): void {
    setHandler(definition, async (...args: A) => run(...args), {
      validator: (...args: A) => {
        this.check(command);
        validate?.(...args);
      },
    });
  }

  /**
   * Waits until `done`, firing each timer once when its time comes. The wait also ends when `watch` returns
   * something new (by default the timers' plan), so a deadline set later is kept too.
   */
  async untilDone(
    done: () => boolean,
    timers: () => DeadlineTimer[],
    fire: (timer: DeadlineTimer) => Promise<void> | void,
    fired = new Set<string>(),
    summary?: (timer: DeadlineTimer) => string,
  ): Promise<void> {
    const plan = () =>
      timers()
        .map((timer) => `${timer.key}@${timer.at}`)
        .join(',');
    await this.loop(done, () => timers().find((timer) => !fired.has(timer.key)) ?? null, (timer) => (fired.add(timer.key), fire(timer)), plan, summary);
  }

  /**
   * The one deadline loop: fires `next()` when it is due, else waits for it, for `done`, or for `watch` to
   * change (the record's revision unless told otherwise). `summary` names the timer in the UI's timeline
   * (`P1 response warning 75 %`); metadata only, so histories recorded without it still replay.
   */
  async loop<T extends { at: number }>(
    done: () => boolean,
    next: () => T | null,
    fire: (timer: T) => Promise<void> | void,
    watch: () => unknown = () => this.moves,
    summary?: (timer: T) => string,
  ): Promise<void> {
    while (!done()) {
      const timer = next();
      const now = Date.now();
      if (timer && timer.at <= now) {
        await fire(timer);
        continue;
      }
      const seen = watch();
      const woken = () => done() || watch() !== seen;
      if (!timer) await condition(woken);
      else if (summary) await condition(woken, Math.max(1, timer.at - now), { summary: summary(timer) });
      else await condition(woken, Math.max(1, timer.at - now));
    }
  }

  /** Whether the history has grown enough to continue as new (the server may suggest it first). */
  historyFull(limit: number): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= limit;
  }

  /** Lets Updates that ended the wait finish, and their writes and mail land, before the workflow ends or continues. */
  async drain(): Promise<void> {
    await condition(allHandlersFinished);
    await this.queue.drained();
    await this.aside.drained();
  }
}
