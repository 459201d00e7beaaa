import { workflowInfo } from '@temporalio/workflow';
import type { ActionOffer } from '../domain/action-links';
import type { DeadlineTimer } from '../domain/deadlines';
import { deadlineTimerSummary, ESCALATION_LEVEL, type DeadlineStanding } from '../domain/governance-metadata';
import { mailLabel } from '../domain/workflow-metadata';
import type { DutyCommand } from '../domain/governance-duty';
import { isFinal, type TransitionTable } from '../domain/transitions';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../domain/search-attributes';
import { sendGovernanceMail } from './governance-mail';
import { RecordProcess, type SearchAttributePair } from './record-process';

/**
 * Guards the search attributes of continuity tests and competence reviews: those started before it upserted
 * none, and replay without them.
 */
export const DUTY_SEARCH_ATTRIBUTES_PATCH = 'governance-duty-search-attributes';

/** Who hears of a duty, and when: each process says what its mails say and which of them offer its step. */
export interface DutyFollowUp {
  /** The reminders before the deadline and the escalation at it. */
  timers: () => DeadlineTimer[];
  /** Asks whoever owes the duty to do it (sent once it is open). */
  request: () => void;
  remind: () => void;
  /** Tells the managers the deadline has passed. */
  escalate: () => void;
  /** Marks the record escalated, after the managers' mail is queued. */
  recordEscalation: () => Promise<unknown>;
}

/**
 * A governance duty (ISO/IEC 20000-1 clauses 7.2, 8.2.5, 8.7.2): a record one named person must complete by a
 * deadline through one Update; they are asked when it opens and reminded before the deadline, and at it the
 * managers are told. Its state, due date and escalation are what managers filter on in the Temporal UI.
 */
export class GovernanceDuty<S extends string, C extends string> extends RecordProcess<S, C | DutyCommand> {
  private due: string | null = null;
  private escalatedAt: number | null = null;
  private timers: () => DeadlineTimer[] = () => [];
  private readonly fired = new Set<string>();

  constructor(
    private readonly table: TransitionTable<S, C | DutyCommand>,
    searchAttributes?: () => SearchAttributePair[],
    details?: () => string,
  ) {
    super({ table, keyPrefix: workflowInfo().workflowId, searchAttributes, details });
  }

  get dueAt(): string | null {
    return this.due;
  }
  get escalated(): boolean {
    return this.escalatedAt !== null;
  }

  /** Where the deadline stands, for the current details: due, escalated when, the next timer. */
  deadline(): Omit<DeadlineStanding, 'noun'> {
    const next = isFinal(this.table, this.state) ? null : (this.timers().find((timer) => !this.fired.has(timer.key)) ?? null);
    return { dueAt: this.due, escalatedAt: this.escalatedAt, next, now: Date.now() };
  }

  /** The process opens the duty once it knows the deadline. */
  open(dueAt: string): void {
    this.due = dueAt;
    this.transition('open');
  }

  /**
   * Asks, reminds and escalates until the completing Update has moved the record to a final state, then lets
   * that Update's writes and mail land.
   */
  async followUp({ timers, request, remind, escalate, recordEscalation }: DutyFollowUp): Promise<void> {
    const done = () => isFinal(this.table, this.state);
    this.timers = timers;
    // The details now name the first deadline; the search attributes did not move, so nothing is upserted.
    this.sync();
    // Completed while its opening was still being written: nobody needs asking.
    if (!done()) request();
    await this.untilDone(
      done,
      timers,
      async (timer) => {
        if (timer.kind === 'reminder') {
          remind();
          // Only the details' next deadline moved: the search attributes are unchanged, so nothing is upserted.
          return this.sync();
        }
        this.escalatedAt = Date.now();
        this.transition('escalate');
        escalate();
        await this.write(recordEscalation);
      },
      this.fired,
      (timer) => deadlineTimerSummary(this.table.noun, timer),
    );
    await this.drain();
  }

  /**
   * Mail through the governance sender; its text names the deadline, in each reader's own time zone. `owedBy`
   * names, in the timeline, the person the duty is owed by (`mail: competence-review-due → person reviewed`).
   */
  governanceMail(headers: () => Record<string, string>, owedBy: string) {
    return (kind: string, toUserIds: string[] | 'managers', subject: string, offer?: ActionOffer) =>
      this.send(kind, (key) =>
        sendGovernanceMail.executeWithOptions({ summary: mailLabel(kind, toUserIds === 'managers' ? toUserIds : owedBy) }, [{ key, kind, toUserIds, subject, text: `${subject}. Due by ${this.due}.`, headers: headers(), offer }]),
      );
  }
}

/**
 * A duty on `table`; with `searchAttributes`, its state, due date and escalation level are synced to them;
 * `details` writes its current details for the Temporal UI (usually from `duty.deadline()`).
 */
export function governanceDuty<S extends string, C extends string>(
  table: TransitionTable<S, C | DutyCommand>,
  { searchAttributes, details }: { searchAttributes: boolean; details?: (duty: GovernanceDuty<S, C>) => string },
): GovernanceDuty<S, C> {
  const duty: GovernanceDuty<S, C> = new GovernanceDuty(
    table,
    searchAttributes
      ? () => [
          [ItsmState, duty.state],
          [ItsmEscalationLevel, duty.escalated ? ESCALATION_LEVEL : 0],
          [ItsmDueAt, duty.dueAt ? new Date(duty.dueAt) : null],
        ]
      : undefined,
    details && (() => details(duty)),
  );
  return duty;
}
