import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ProblemActivities, ProblemEventRecord, ProblemSnapshot } from '../activities/problem';
import {
  fixOutcome,
  illegalProblemTransition,
  problemReference,
  rcaTimers,
  type ProblemCommand,
  type ProblemOpened,
  type ProblemPolicySnapshot,
  type ProblemState,
  type ProblemTimer,
} from '../domain/problem';
import { isoOrNull } from '../domain/instants';
import { ItsmDueAt, ItsmEscalationLevel, ItsmPriority, ItsmState } from '../temporal-config/search-attributes';
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
import { ILLEGAL_TRANSITION } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';

const { openProblemRecord, recordProblemChange, linkProblemIncidents, publishKnownError, postWorkaround, sendProblemNotification } = proxyActivities<ProblemActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});


/**
 * One problem (ISO/IEC 20000-1 clause 8.6.3): investigated against a root-cause deadline with reminders and an
 * escalation, published as a known error (its workaround goes to the linked open incidents and to the knowledge
 * base), fixed by a change, and closed only after the fix held for the effectiveness period.
 */
export async function problemRootCause(opened: ProblemOpened): Promise<void> {
  const { problemId } = opened;
  const reference = problemReference(opened.number);
  let state = 'new' as ProblemState;
  let ownerId = opened.ownerId;
  let policy: ProblemPolicySnapshot | null = null;
  let round = 0;
  let rcaDueAt = 0;
  let timers: ProblemTimer[] = [];
  const fired = new Set<string>();
  let escalationLevel = 0;
  const linked = new Set(opened.incidentIds);
  let knownError: ProblemStatus['knownError'] = null;
  let fixChangeId: string | null = null;
  let resolvedAt: number | null = null;
  let reviewUntil: number | null = null;
  let closedAt: number | null = null;
  let closeReason: string | null = null;
  let seq = 0;
  let version = 0;

  const queue = serialQueue();
  const serial = queue.run;

  const rcaRunning = () => state === 'new' || state === 'investigating';
  // Handlers are registered at once (an Update may come right after the start) but act only once the record
  // is open and its deadline set.
  let opening = true;
  const ready = () => condition(() => !opening);
  const upsertChanged = searchAttributeSync();
  function syncSearchAttributes() {
    const due = rcaRunning() ? rcaDueAt : state === 'resolved' ? reviewUntil : null;
    upsertChanged([
      [ItsmState, state],
      [ItsmPriority, opened.priority],
      [ItsmEscalationLevel, escalationLevel],
      [ItsmDueAt, due === null ? null : new Date(due)],
    ]);
  }

  function snapshot(): ProblemSnapshot {
    return {
      state,
      ownerId,
      rcaDueAt: isoOrNull(rcaDueAt),
      escalationLevel,
      rootCause: knownError?.rootCause ?? null,
      workaround: knownError?.workaround ?? null,
      resolvedAt: isoOrNull(resolvedAt),
      reviewUntil: isoOrNull(reviewUntil),
      closedAt: isoOrNull(closedAt),
      closeReason,
    };
  }

  const status = (): ProblemStatus => ({
    state,
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

  const nextKey = (kind: string) => `${problemId}:${++seq}:${kind}`;

  async function record(type: string, actorId: string | null, fromState: ProblemState, data: Record<string, unknown> = {}) {
    version++;
    syncSearchAttributes();
    const event: ProblemEventRecord = { eventKey: nextKey(type), type, actorId, at: isoOrNull(Date.now())!, fromState, toState: state, data };
    await serial(() => recordProblemChange({ problemId, event, snapshot: snapshot() }));
    return status();
  }

  function notify(kind: string, toUserIds: (string | null)[], context: Record<string, string> = {}) {
    const to = [...new Set(toUserIds.filter((id): id is string => id !== null))];
    if (to.length === 0) return;
    const key = nextKey(kind);
    void serial(() => sendProblemNotification({ key, problemId, kind, toUserIds: to, context }));
  }

  function startRca(now: number) {
    round++;
    const planned = rcaTimers(policy!, now);
    rcaDueAt = planned.deadline;
    timers = planned.timers.map((timer) => ({ ...timer, key: `round${round}:${timer.key}` }));
  }

  function refuse(command: ProblemCommand, message: string): never {
    throw ApplicationFailure.create({ type: ILLEGAL_TRANSITION, message: `${reference}: ${message}`, details: [{ state, command }], nonRetryable: true });
  }
  const guard = (command: ProblemCommand) => {
    const problem = illegalProblemTransition(command, state);
    if (problem) refuse(command, problem);
  };

  /** New links: recorded, given the workaround when one is published, and a recurrence when the fix is on trial. */
  async function incidentsLinked(incidentIds: string[], actorId: string | null, linkedBy: string) {
    await ready();
    const fresh = incidentIds.filter((id) => !linked.has(id));
    if (fresh.length === 0) return status();
    for (const id of fresh) linked.add(id);
    await serial(() => linkProblemIncidents({ problemId, incidentIds: fresh, linkedBy }));
    const from = state;
    if (knownError && (state === 'known_error' || state === 'fix_pending')) {
      const key = nextKey('workaround');
      await serial(() => postWorkaround({ problemId, key, incidentIds: fresh, actorId: actorId ?? ownerId }));
    }
    if (state === 'resolved') {
      // The fix did not hold: back to finding the cause, with a new deadline.
      state = 'investigating';
      reviewUntil = null;
      resolvedAt = null;
      startRca(Date.now());
      notify('problem-recurred', [ownerId, policy!.coordinatorId], { incidents: String(fresh.length) });
    }
    return record(from === 'resolved' ? 'recurred' : 'incidents-linked', actorId, from, { incidentIds: fresh, linkedBy });
  }

  setHandler(problemStatusQuery, status);

  setHandler(
    investigateProblemUpdate,
    async ({ actorId, ownerId: owner }) => {
      await ready();
      const from = state;
      state = 'investigating';
      ownerId = owner;
      notify('problem-assigned', [owner], { deadline: isoOrNull(rcaDueAt)! });
      return record('investigation-started', actorId, from, { ownerId: owner });
    },
    { validator: (_input) => guard('investigate') },
  );

  setHandler(
    publishKnownErrorUpdate,
    async ({ actorId, title, rootCause, workaround, language }) => {
      await ready();
      const from = state;
      state = 'known_error';
      knownError = { title, rootCause, workaround, articleId: knownError?.articleId ?? null };
      timers = [];
      const published = await serial(() => publishKnownError({ problemId, key: nextKey('known-error'), actorId, title, rootCause, workaround, language, incidentIds: [...linked] }));
      knownError = { ...knownError, articleId: published.articleId };
      return record('known-error-published', actorId, from, { title, articleId: published.articleId, incidentsNotified: published.notifiedIncidentIds });
    },
    {
      validator: ({ rootCause, workaround }) => {
        guard('publishKnownError');
        if (rootCause.trim().length < 10 || workaround.trim().length < 10) refuse('publishKnownError', 'a known error needs its root cause and a workaround (10 characters at least)');
      },
    },
  );

  setHandler(
    linkFixUpdate,
    async ({ actorId, changeId }) => {
      await ready();
      const from = state;
      state = 'fix_pending';
      fixChangeId = changeId;
      return record('fix-raised', actorId, from, { changeId });
    },
    { validator: (_input) => guard('linkFix') },
  );

  setHandler(
    linkIncidentsUpdate,
    ({ actorId, incidentIds }) => incidentsLinked(incidentIds, actorId, 'manual'),
    { validator: (_input) => guard('linkIncidents') },
  );

  setHandler(incidentsLinkedSignal, async ({ incidentIds }) => {
    if (state !== 'closed') await incidentsLinked(incidentIds, null, 'trend');
  });

  setHandler(fixChangeEndedSignal, async ({ changeId, state: changeState, outcome }) => {
    await ready();
    if (state !== 'fix_pending' || changeId !== fixChangeId) return;
    const from = state;
    const result = fixOutcome(changeState, outcome);
    if (result === 'resolved') {
      const now = Date.now();
      state = 'resolved';
      resolvedAt = now;
      reviewUntil = now + policy!.effectivenessSeconds * 1000;
      await record('resolved', null, from, { changeId, reviewUntil: isoOrNull(reviewUntil) });
    } else if (result === 'fix-failed') {
      state = 'known_error';
      fixChangeId = null;
      notify('problem-fix-failed', [ownerId, policy!.coordinatorId], { reason: `${changeState}${outcome ? ` (${outcome})` : ''}` });
      await record('fix-failed', null, from, { changeId, changeState, outcome });
    }
  });

  setHandler(
    closeProblemUpdate,
    async ({ actorId, reason }) => {
      await ready();
      const from = state;
      state = 'closed';
      closedAt = Date.now();
      closeReason = reason;
      return record('closed', actorId, from, { reason });
    },
    { validator: (_input) => guard('close') },
  );

  async function fire(timer: ProblemTimer) {
    fired.add(timer.key);
    if (timer.kind === 'rca-reminder') {
      notify('rca-reminder', [ownerId ?? policy!.coordinatorId], { deadline: isoOrNull(rcaDueAt)! });
    } else {
      escalationLevel = Math.max(escalationLevel, 1);
      notify('rca-escalation', [policy!.coordinatorId, ownerId], { deadline: isoOrNull(rcaDueAt)! });
    }
    await record(`deadline.${timer.kind}`, null, state, { key: timer.key, dueAt: isoOrNull(timer.at) });
  }

  syncSearchAttributes();
  policy = await serial(() => openProblemRecord(opened));
  startRca(Date.parse(opened.openedAt));
  await record('rca-deadline-set', null, state, { rcaDueAt: isoOrNull(rcaDueAt), incidents: linked.size });
  notify('problem-opened', [policy.coordinatorId, ownerId], { deadline: isoOrNull(rcaDueAt)! });
  opening = false;

  while (state !== 'closed') {
    const now = Date.now();
    const next = rcaRunning() ? timers.find((timer) => !fired.has(timer.key)) : undefined;
    if (next && next.at <= now) {
      await fire(next);
      continue;
    }
    if (state === 'resolved' && reviewUntil !== null && reviewUntil <= now) {
      const from = state;
      state = 'closed';
      closedAt = now;
      closeReason = 'effective: no new incidents during the review period';
      notify('problem-closed', [ownerId, policy.coordinatorId], { reason: closeReason });
      await record('closed', null, from, { reason: closeReason, effective: true });
      continue;
    }
    const wake = [next?.at, state === 'resolved' ? reviewUntil : null].filter((at): at is number => typeof at === 'number');
    const seen = version;
    await condition(() => version !== seen, wake.length ? Math.max(1, Math.min(...wake) - now) : undefined);
  }
  await condition(allHandlersFinished);
  await queue.drained();
}
