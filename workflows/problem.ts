import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ProblemActivities, ProblemEventRecord, ProblemSnapshot } from '../activities/problem';
import type { ActionOffer } from '../domain/action-links';
import { isoOrNull } from '../domain/instants';
import { PROBLEM_MANAGER, problemCurrentDetails, problemMailLabel, problemRecordLabel, problemTimerLabel, type ProblemProgress } from '../domain/problem-metadata';
import {
  fixOutcome,
  PROBLEM_TRANSITIONS,
  problemReference,
  rcaTimers,
  type ProblemCommand,
  type ProblemOpened,
  type ProblemPolicySnapshot,
  type ProblemState,
  type ProblemTimer,
} from '../domain/problem';
import { ItsmDueAt, ItsmEscalationLevel, ItsmPriority, ItsmState } from '../domain/search-attributes';
import {
  closeProblemUpdate,
  fixChangeEndedSignal,
  incidentsLinkedSignal,
  investigateProblemUpdate,
  linkFixUpdate,
  linkIncidentsUpdate,
  problemStatusQuery,
  publishKnownErrorUpdate,
  type ProblemStatus,
} from './problem.messages';
import { RecordProcess } from './record-process';
import { ILLEGAL_TRANSITION } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';

const { openProblemRecord, recordProblemChange, linkProblemIncidents, publishKnownError, postWorkaround, sendProblemNotification } = proxyActivities<ProblemActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * An Update that comes while the record is still being opened (the API sends the owner right after the start)
 * moves the problem at once, like any other; in problems begun before, it waited for the opening to move.
 */
const MOVES_WHILE_OPENING = 'problem-moves-while-opening';

/**
 * A link that shows the fix did not hold moves the problem before the links are written, so the effectiveness
 * review cannot close it meanwhile; problems begun before moved only after the writes.
 */
const RECURS_AT_ONCE = 'problem-recurs-at-once';

/** The coordinator told of a new problem can take the investigation from the mail. */
const INVESTIGATE: ActionOffer = { step: 'problem.investigate' };

/** What the loop waits for: a root-cause reminder or escalation, or the end of the fix's effectiveness review. */
type ProblemWake = ProblemTimer | { kind: 'review-end'; at: number };

/** Who a mail goes to, by role (`owner`, `problem manager`): the role names the mail in the UI's timeline. */
type Audience = [role: string, userId: string | null][];

/**
 * One problem (ISO/IEC 20000-1 clause 8.6.3): investigated against a root-cause deadline with reminders and an
 * escalation, published as a known error (its workaround goes to the linked open incidents and to the knowledge
 * base), fixed by a change, and closed only after the fix held for the effectiveness period.
 */
export async function problemRootCause(opened: ProblemOpened): Promise<void> {
  const { problemId } = opened;
  const problem: RecordProcess<ProblemState, ProblemCommand> = new RecordProcess({
    table: PROBLEM_TRANSITIONS,
    keyPrefix: problemId,
    refusalPrefix: problemReference(opened.number),
    details: () => problemCurrentDetails(progress(), Date.now()),
  });
  let ownerId = opened.ownerId;
  let policy: ProblemPolicySnapshot | null = null;
  let round = 0;
  let rcaDueAt = 0;
  let timers: ProblemTimer[] = [];
  const fired = new Set<string>();
  let escalationLevel = 0;
  let escalatedTo: string | null = null;
  const linked = new Set(opened.incidentIds);
  let knownError: ProblemStatus['knownError'] = null;
  let fixChangeId: string | null = null;
  let resolvedAt: number | null = null;
  let reviewUntil: number | null = null;
  let closedAt: number | null = null;
  let closeReason: string | null = null;
  // Bumped with every event written: the deadline loop wakes on it, as it always has, not on the moves.
  let version = 0;

  const rcaRunning = () => problem.state === 'new' || problem.state === 'investigating';
  // Handlers are registered at once (an Update may come right after the start); their writes wait until the
  // record is open and its deadline set.
  let opening = true;
  const ready = () => condition(() => !opening);
  // Sent with the event that explains the move, not at the move: running problems' histories have them there.
  const upsertChanged = searchAttributeSync();
  function syncSearchAttributes() {
    const due = rcaRunning() ? rcaDueAt : problem.state === 'resolved' ? reviewUntil : null;
    upsertChanged([
      [ItsmState, problem.state],
      [ItsmPriority, opened.priority],
      [ItsmEscalationLevel, escalationLevel],
      [ItsmDueAt, due === null ? null : new Date(due)],
    ]);
    problem.sync();
  }

  /** The next root-cause reminder or escalation, or the end of the effectiveness review; none once closed. */
  function nextWake(): ProblemWake | null {
    if (rcaRunning()) return timers.find((timer) => !fired.has(timer.key)) ?? null;
    return problem.state === 'resolved' && reviewUntil !== null ? { kind: 'review-end', at: reviewUntil } : null;
  }
  const wakeLabel = (wake: ProblemWake) => problemTimerLabel(wake, rcaDueAt, ownerId !== null);

  function progress(): ProblemProgress {
    const next = nextWake();
    return {
      state: problem.state,
      priority: opened.priority,
      ownerId,
      coordinatorId: policy?.coordinatorId ?? null,
      rcaDueAt: rcaDueAt || null,
      rcaRunning: rcaRunning(),
      escalationLevel,
      escalatedTo,
      incidents: linked.size,
      knownErrorTitle: knownError?.title ?? null,
      fixChangeId,
      reviewUntil,
      closeReason,
      next: next && { label: wakeLabel(next), at: next.at },
    };
  }

  const snapshot = (): ProblemSnapshot => ({
    state: problem.state,
    ownerId,
    rcaDueAt: isoOrNull(rcaDueAt),
    escalationLevel,
    rootCause: knownError?.rootCause ?? null,
    workaround: knownError?.workaround ?? null,
    resolvedAt: isoOrNull(resolvedAt),
    reviewUntil: isoOrNull(reviewUntil),
    closedAt: isoOrNull(closedAt),
    closeReason,
  });

  const status = (): ProblemStatus => ({
    state: problem.state,
    priority: opened.priority,
    ownerId,
    rcaDueAt: isoOrNull(rcaDueAt)!,
    escalationLevel,
    incidentIds: [...linked],
    knownError,
    fixChangeId,
    reviewUntil: isoOrNull(reviewUntil),
    closeReason,
  });

  async function record(type: string, actorId: string | null, fromState: ProblemState, data: Record<string, unknown> = {}) {
    version++;
    syncSearchAttributes();
    const event: ProblemEventRecord = { eventKey: problem.key(type), type, actorId, at: isoOrNull(Date.now())!, fromState, toState: problem.state, data };
    await problem.write(() => recordProblemChange.executeWithOptions({ summary: problemRecordLabel(type) }, [{ problemId, event, snapshot: snapshot() }]));
    return status();
  }

  /** Mails whoever of `audience` is known; returns their roles, which the details name as notified. */
  function notify(kind: string, audience: Audience, context: Record<string, string> = {}, offer?: ActionOffer): string {
    const known = audience.filter((entry): entry is [string, string] => entry[1] !== null);
    const to = [...new Set(known.map(([, id]) => id))];
    const roles = known.map(([role]) => role);
    if (to.length > 0) problem.send(kind, (key) => sendProblemNotification.executeWithOptions({ summary: problemMailLabel(kind, roles) }, [{ key, problemId, kind, toUserIds: to, context, offer }]));
    return roles.join(', ');
  }
  /** The owner and the problem manager: who hears of the fix's outcome and of a recurrence. */
  const ownerAndManager = (): Audience => [
    ['owner', ownerId],
    [PROBLEM_MANAGER, policy!.coordinatorId],
  ];

  function startRca(now: number) {
    round++;
    const planned = rcaTimers(policy!, now);
    rcaDueAt = planned.deadline;
    timers = planned.timers.map((timer) => ({ ...timer, key: `round${round}:${timer.key}` }));
  }

  /**
   * Takes `command` before the first await, so the next Update's validator already sees the new state; the
   * step's writes then wait for the opening.
   */
  async function move(command: ProblemCommand) {
    if (opening && !patched(MOVES_WHILE_OPENING)) await ready();
    const moved = problem.transition(command);
    await ready();
    return moved;
  }

  /** The fix did not hold: back to finding the cause, with a new deadline. */
  function recur() {
    reviewUntil = null;
    resolvedAt = null;
    startRca(Date.now());
    problem.transition('recur');
  }

  /** New links: recorded, given the workaround when one is published, and a recurrence when the fix is on trial. */
  async function incidentsLinked(incidentIds: string[], actorId: string | null, linkedBy: string) {
    await ready();
    const fresh = incidentIds.filter((id) => !linked.has(id));
    if (fresh.length === 0) return status();
    for (const id of fresh) linked.add(id);
    let recurred = problem.state === 'resolved' && patched(RECURS_AT_ONCE);
    if (recurred) recur();
    await problem.write(() => linkProblemIncidents.executeWithOptions({ summary: `record: ${fresh.length} incident(s) linked` }, [{ problemId, incidentIds: fresh, linkedBy }]));
    if (knownError && (problem.state === 'known_error' || problem.state === 'fix_pending')) {
      const key = problem.key('workaround');
      await problem.write(() => postWorkaround.executeWithOptions({ summary: `incidents: workaround → ${fresh.length} incident(s)` }, [{ problemId, key, incidentIds: fresh, actorId: actorId ?? ownerId }]));
    }
    // Problems begun before RECURS_AT_ONCE recur only here, after the writes.
    if (problem.state === 'resolved') {
      recur();
      recurred = true;
    }
    if (recurred) notify('problem-recurred', ownerAndManager(), { incidents: String(fresh.length) });
    return record(recurred ? 'recurred' : 'incidents-linked', actorId, recurred ? 'resolved' : problem.state, { incidentIds: fresh, linkedBy });
  }

  problem.query(problemStatusQuery, status);

  problem.update(investigateProblemUpdate, 'investigate', async ({ actorId, ownerId: owner }) => {
    const { from } = await move('investigate');
    ownerId = owner;
    notify('problem-assigned', [['owner', owner]], { deadline: isoOrNull(rcaDueAt)! });
    return record('investigation-started', actorId, from, { ownerId: owner });
  });

  problem.update(
    publishKnownErrorUpdate,
    'publishKnownError',
    async ({ actorId, title, rootCause, workaround, language }) => {
      const { from } = await move('publishKnownError');
      knownError = { title, rootCause, workaround, articleId: knownError?.articleId ?? null };
      timers = [];
      const published = await problem.write(() =>
        publishKnownError.executeWithOptions({ summary: 'record: known error, article and workaround' }, [{ problemId, key: problem.key('known-error'), actorId, title, rootCause, workaround, language, incidentIds: [...linked] }]),
      );
      knownError = { ...knownError, articleId: published.articleId };
      return record('known-error-published', actorId, from, { title, articleId: published.articleId, incidentsNotified: published.notifiedIncidentIds });
    },
    ({ rootCause, workaround }) => {
      if (rootCause.trim().length < 10 || workaround.trim().length < 10) problem.refuse(ILLEGAL_TRANSITION, 'publishKnownError', 'a known error needs its root cause and a workaround (10 characters at least)');
    },
  );

  problem.update(linkFixUpdate, 'linkFix', async ({ actorId, changeId }) => {
    const { from } = await move('linkFix');
    fixChangeId = changeId;
    return record('fix-raised', actorId, from, { changeId });
  });

  problem.update(linkIncidentsUpdate, 'linkIncidents', ({ actorId, incidentIds }) => incidentsLinked(incidentIds, actorId, 'manual'));

  problem.update(closeProblemUpdate, 'close', async ({ actorId, reason }) => {
    const { from } = await move('close');
    closedAt = Date.now();
    closeReason = reason;
    return record('closed', actorId, from, { reason });
  });

  setHandler(incidentsLinkedSignal, async ({ incidentIds }) => {
    if (problem.allows('linkIncidents')) await incidentsLinked(incidentIds, null, 'trend');
  });

  setHandler(fixChangeEndedSignal, async ({ changeId, state: changeState, outcome }) => {
    await ready();
    if (problem.state !== 'fix_pending' || changeId !== fixChangeId) return;
    const result = fixOutcome(changeState, outcome);
    if (result === 'resolved') {
      const now = Date.now();
      resolvedAt = now;
      reviewUntil = now + policy!.effectivenessSeconds * 1000;
      const { from } = problem.transition('resolve');
      await record('resolved', null, from, { changeId, reviewUntil: isoOrNull(reviewUntil) });
    } else if (result === 'fix-failed') {
      fixChangeId = null;
      const { from } = problem.transition('fixFailed');
      notify('problem-fix-failed', ownerAndManager(), { reason: `${changeState}${outcome ? ` (${outcome})` : ''}` });
      await record('fix-failed', null, from, { changeId, changeState, outcome });
    }
  });

  async function fire(wake: ProblemWake) {
    if (wake.kind === 'review-end') {
      closedAt = Date.now();
      closeReason = 'effective: no new incidents during the review period';
      const { from } = problem.transition('closeEffective');
      notify('problem-closed', ownerAndManager(), { reason: closeReason });
      await record('closed', null, from, { reason: closeReason, effective: true });
      return;
    }
    fired.add(wake.key);
    if (wake.kind === 'rca-reminder') {
      problem.transition('remindRca');
      notify('rca-reminder', [ownerId ? ['owner', ownerId] : [PROBLEM_MANAGER, policy!.coordinatorId]], { deadline: isoOrNull(rcaDueAt)! });
    } else {
      problem.transition('escalateRca');
      escalationLevel = Math.max(escalationLevel, 1);
      escalatedTo = notify('rca-escalation', [
        [PROBLEM_MANAGER, policy!.coordinatorId],
        ['owner', ownerId],
      ], { deadline: isoOrNull(rcaDueAt)! });
    }
    await record(`deadline.${wake.kind}`, null, problem.state, { key: wake.key, dueAt: isoOrNull(wake.at) });
  }

  syncSearchAttributes();
  policy = await problem.write(() => openProblemRecord.executeWithOptions({ summary: 'record: problem opened, RCA policy read' }, [opened]));
  startRca(Date.parse(opened.openedAt));
  await record('rca-deadline-set', null, problem.state, { rcaDueAt: isoOrNull(rcaDueAt), incidents: linked.size });
  // Offered only while nobody has taken the investigation (an Update may have come during the opening).
  notify(
    'problem-opened',
    [
      [PROBLEM_MANAGER, policy.coordinatorId],
      ['owner', ownerId],
    ],
    { deadline: isoOrNull(rcaDueAt)! },
    problem.allows('investigate') ? INVESTIGATE : undefined,
  );
  opening = false;

  await problem.loop(() => problem.state === 'closed', nextWake, fire, () => version, wakeLabel);
  await problem.drain();
}
