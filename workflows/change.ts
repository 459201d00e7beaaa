import { allHandlersFinished, ApplicationFailure, condition, getExternalWorkflowHandle, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ApprovalRecord, ChangeActivities, ChangeEventRecord, ChangeSnapshot } from '../activities/change';
import {
  changeReference,
  describeQuorum,
  FINAL_CHANGE_STATES,
  illegalChangeTransition,
  needsReview,
  quorumOutcome,
  reviewTimers,
  stageTimers,
  type ApprovalPlan,
  type ApprovalStage,
  type ChangeCommand,
  type ChangeOpened,
  type ChangeState,
  type ChangeTimer,
  type RiskAssessment,
} from '../domain/change';
import type { Conflict } from '../domain/change-schedule';
import { problemWorkflowId } from '../domain/problem';
import { isoOrNull } from '../domain/instants';
import { ItsmDueAt, ItsmEscalationLevel, ItsmPriority, ItsmState } from '../temporal-config/search-attributes';
import {
  cancelChangeUpdate,
  changeStatusQuery,
  completeChangeUpdate,
  decideChangeUpdate,
  failChangeUpdate,
  reviewChangeUpdate,
  scheduleChangeUpdate,
  startChangeUpdate,
  submitChangeUpdate,
  type ApprovalDecision,
  type ChangeStatus,
} from './change.messages';
import { fixChangeEndedSignal } from './problem.messages';
import { ILLEGAL_TRANSITION, NOT_ALLOWED, SCHEDULE_CONFLICT } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';

const { openChangeRecord, assessChange, recordChangeChange, scheduleChange, sendChangeNotification } = proxyActivities<ChangeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});


/**
 * One request for change (ISO/IEC 20000-1 clause 8.5.1): assessed, approved by its board(s) with reminders,
 * escalation and expiry, scheduled clear of conflicts, implemented with its cost approved, and reviewed.
 */
export async function changeApproval(opened: ChangeOpened): Promise<void> {
  const { changeId } = opened;
  const reference = changeReference(opened.number);
  let state = 'draft' as ChangeState;
  let type = opened.type;
  let risk: RiskAssessment | null = null;
  let plan: ApprovalPlan | null = null;
  let stageIndex = -1;
  const decisions: Record<number, ApprovalDecision[]> = {};
  let timers: ChangeTimer[] = [];
  const fired = new Set<string>();
  let approvalDueAt: number | null = null;
  let escalationLevel = 0;
  let costApprovedAt: number | null = null;
  let scheduled: { start: number; end: number } | null = null;
  let conflictOverride: ChangeSnapshot['conflictOverride'] = null;
  let scheduling = false;
  let implementationStartedAt: number | null = null;
  let implementedAt: number | null = null;
  let outcome: ChangeSnapshot['outcome'] = null;
  let backout: ChangeSnapshot['backout'] = null;
  let reviewDueAt: number | null = null;
  let review: ChangeSnapshot['review'] = null;
  let closedAt: number | null = null;
  let closeReason: string | null = null;
  let seq = 0;
  let version = 0;

  const queue = serialQueue();
  const serial = queue.run;

  const stage = (): ApprovalStage | null => (plan && stageIndex >= 0 ? plan.stages[stageIndex] : null);
  const stageDecisions = () => decisions[stage()?.level ?? 0] ?? [];
  const undecided = () => (stage()?.approverIds ?? []).filter((id) => !stageDecisions().some((d) => d.approverId === id));

  const upsertChanged = searchAttributeSync();
  function syncSearchAttributes() {
    const due = state === 'approval' ? approvalDueAt : state === 'review' ? reviewDueAt : state === 'scheduled' ? (scheduled?.start ?? null) : null;
    upsertChanged([
      [ItsmState, state],
      [ItsmPriority, risk?.level ?? null],
      [ItsmEscalationLevel, escalationLevel],
      [ItsmDueAt, due === null ? null : new Date(due)],
    ]);
  }

  function snapshot(): ChangeSnapshot {
    return {
      state,
      approvalDueAt: isoOrNull(approvalDueAt),
      escalationLevel,
      costApprovedAt: isoOrNull(costApprovedAt),
      scheduledStart: isoOrNull(scheduled?.start ?? null),
      scheduledEnd: isoOrNull(scheduled?.end ?? null),
      conflictOverride,
      implementationStartedAt: isoOrNull(implementationStartedAt),
      implementedAt: isoOrNull(implementedAt),
      outcome,
      backout,
      reviewDueAt: isoOrNull(reviewDueAt),
      review,
      closedAt: isoOrNull(closedAt),
      closeReason,
    };
  }

  function status(): ChangeStatus {
    const current = stage();
    return {
      state,
      type,
      riskScore: risk?.score ?? null,
      riskLevel: risk?.level ?? null,
      stage: current && {
        level: current.level,
        board: current.board,
        boardName: current.boardName,
        quorum: describeQuorum(current.quorum, current.approverIds.length),
        required: current.required,
        approverIds: current.approverIds,
        decisions: stageDecisions(),
        deadline: isoOrNull(approvalDueAt)!,
      },
      stages: plan?.stages.length ?? 0,
      escalationLevel,
      approvalDueAt: isoOrNull(approvalDueAt),
      costApprovedAt: isoOrNull(costApprovedAt),
      scheduledStart: isoOrNull(scheduled?.start ?? null),
      scheduledEnd: isoOrNull(scheduled?.end ?? null),
      conflicts: conflictOverride?.conflicts ?? [],
      reviewDueAt: isoOrNull(reviewDueAt),
      outcome,
      closeReason,
    };
  }

  function event(type: string, actorId: string | null, fromState: ChangeState, data: Record<string, unknown>): ChangeEventRecord {
    return { eventKey: `${changeId}:${++seq}:${type}`, type, actorId, at: isoOrNull(Date.now())!, fromState, toState: state, data };
  }

  /** Records the transition (audit event, decision if any, record snapshot) and returns what the caller sees. */
  async function record(type: string, actorId: string | null, fromState: ChangeState, data: Record<string, unknown> = {}, approval?: ApprovalRecord) {
    version++;
    syncSearchAttributes();
    const change = { changeId, event: event(type, actorId, fromState, data), snapshot: snapshot(), approval };
    await serial(() => recordChangeChange(change));
    return status();
  }

  function notify(kind: string, toUserIds: (string | null)[], context: Record<string, string> = {}, action?: { level: number; expiresAt: number }) {
    const to = [...new Set(toUserIds.filter((id): id is string => id !== null))];
    if (to.length === 0) return;
    const key = `${changeId}:${++seq}:${kind}`;
    void serial(() => sendChangeNotification({ key, changeId, kind, toUserIds: to, context, action }));
  }

  const tally = () => {
    const current = stage();
    const approvals = stageDecisions().filter((d) => d.decision === 'approve').length;
    const rejections = stageDecisions().length - approvals;
    const pending = (current?.approverIds.length ?? 0) - stageDecisions().length;
    return { approvals, rejections, pending, text: `${approvals} approved, ${rejections} rejected, ${pending} pending (quorum: ${current ? describeQuorum(current.quorum, current.approverIds.length) : '-'})` };
  };
  const stageContext = () => ({ board: stage()?.boardName ?? '', deadline: isoOrNull(approvalDueAt) ?? '', decisions: tally().text });

  function enterStage(index: number, now: number) {
    stageIndex = index;
    const current = stage()!;
    const planned = stageTimers(current, now);
    timers = planned.timers;
    approvalDueAt = planned.deadline;
    state = 'approval';
    notify('approval-request', current.approverIds, stageContext(), { level: current.level, expiresAt: planned.deadline });
  }

  /** After the last stage (or a pre-approval): the work and its cost are authorised. */
  function approve(now: number) {
    state = 'approved';
    costApprovedAt = now;
    timers = [];
    notify('approved', [opened.requesterId], stageContext());
  }

  function reject(reason: string) {
    state = 'rejected';
    closeReason = reason;
    closedAt = Date.now();
    timers = [];
  }

  function enterReview(now: number) {
    const planned = reviewTimers(plan!.review, now);
    timers = planned.timers;
    reviewDueAt = planned.deadline;
    state = 'review';
    notify('review-request', [plan!.review.chairId, opened.requesterId], { deadline: isoOrNull(reviewDueAt)!, reason: outcome ?? '' });
  }

  function refuse(type: string, command: ChangeCommand, message: string, extra: Record<string, unknown> = {}): never {
    throw ApplicationFailure.create({ type, message: `${reference}: ${message}`, details: [{ state, command, ...extra }], nonRetryable: true });
  }
  const guard = (command: ChangeCommand) => {
    const problem = illegalChangeTransition(command, state);
    if (problem) refuse(ILLEGAL_TRANSITION, command, problem);
  };

  setHandler(changeStatusQuery, status);

  setHandler(
    submitChangeUpdate,
    async ({ actorId }) => {
      const from = state;
      state = 'submitted';
      return record('submitted', actorId, from);
    },
    { validator: (_input) => guard('submit') },
  );

  setHandler(
    decideChangeUpdate,
    async ({ actorId, decision, comment, via }) => {
      const now = Date.now();
      const from = state;
      const current = stage()!;
      const made: ApprovalDecision = { approverId: actorId, decision, comment, via, at: isoOrNull(now)! };
      (decisions[current.level] ??= []).push(made);
      const { approvals, rejections } = tally();
      const result = quorumOutcome(current.quorum, current.approverIds.length, approvals, rejections);
      const data: Record<string, unknown> = { level: current.level, board: current.board, decision, comment, via, tally: tally().text };
      if (result === 'rejected') {
        reject(`rejected by the ${current.boardName}: ${comment}`);
        notify('rejected', [opened.requesterId, ...undecided()], { ...stageContext(), reason: comment });
      } else if (result === 'approved') {
        data.stageApproved = current.level;
        if (stageIndex + 1 < plan!.stages.length) enterStage(stageIndex + 1, now);
        else approve(now);
      }
      const approval = { level: current.level, board: current.board, approverId: actorId, decision, comment, via, decidedAt: made.at };
      return record(decision === 'approve' ? 'approval' : 'rejection', actorId, from, data, approval);
    },
    {
      validator: ({ actorId, decision, comment, level }) => {
        guard('decide');
        const current = stage()!;
        // A decision is made on what its maker was shown: a link or a page for level 1 never decides level 2.
        if (level !== undefined && level !== current.level) {
          refuse(ILLEGAL_TRANSITION, 'decide', `this decision is for approval level ${level}, but the change is now at level ${current.level} (${current.boardName}); it was not recorded`);
        }
        if (actorId === opened.requesterId) refuse(NOT_ALLOWED, 'decide', 'a change cannot be approved by its requester (segregation of duties)');
        if (!current.approverIds.includes(actorId)) refuse(NOT_ALLOWED, 'decide', `you are not an approver of the ${current.boardName} for this change`);
        if (stageDecisions().some((d) => d.approverId === actorId)) refuse(ILLEGAL_TRANSITION, 'decide', `you have already decided at the ${current.boardName} level; each person counts once`);
        if (decision === 'reject' && comment.trim().length < 3) refuse(ILLEGAL_TRANSITION, 'decide', 'a rejection needs a reason');
      },
    },
  );

  setHandler(
    scheduleChangeUpdate,
    async ({ actorId, start, end, overrideReason }) => {
      scheduling = true;
      try {
        const from = state;
        const window = { start: Date.parse(start), end: Date.parse(end) };
        const next = { ...snapshot(), state: 'scheduled' as const, scheduledStart: start, scheduledEnd: end, conflictOverride: overrideReason ? { reason: overrideReason, actorId, conflicts: [] } : null };
        // Proposed, not yet taken: the activity writes it only when the window is clear or the override accepted.
        const proposed = { ...event('scheduled', actorId, from, { start, end, overrideReason }), toState: 'scheduled' as const };
        const result = await serial(() => scheduleChange({ changeId, window, overrideAccepted: overrideReason !== null, event: proposed, snapshot: next }));
        if (!result.scheduled) {
          refuse(SCHEDULE_CONFLICT, 'schedule', `the window ${start} – ${end} has ${result.conflicts.length} conflict(s); choose another window or have a manager override with a reason`, { conflicts: result.conflicts });
        }
        state = 'scheduled';
        scheduled = window;
        conflictOverride = result.conflicts.length > 0 ? { reason: overrideReason!, actorId, conflicts: result.conflicts as Conflict[] } : null;
        version++;
        syncSearchAttributes();
        notify('scheduled', [opened.requesterId]);
        return status();
      } finally {
        scheduling = false;
      }
    },
    {
      validator: ({ start, end, overrideReason, mayOverride }) => {
        guard('schedule');
        if (scheduling) refuse(ILLEGAL_TRANSITION, 'schedule', 'another scheduling request for this change is in progress');
        if (!(Date.parse(start) < Date.parse(end))) refuse(ILLEGAL_TRANSITION, 'schedule', 'the window must end after it starts');
        if (overrideReason !== null && !mayOverride) refuse(NOT_ALLOWED, 'schedule', 'only a manager can override scheduling conflicts');
      },
    },
  );

  setHandler(
    startChangeUpdate,
    async ({ actorId }) => {
      const from = state;
      state = 'implementing';
      implementationStartedAt = Date.now();
      return record('implementation-started', actorId, from);
    },
    {
      validator: (_input) => {
        guard('start');
        const now = Date.now();
        if (costApprovedAt === null) refuse(ILLEGAL_TRANSITION, 'start', 'its cost has not been approved');
        if (scheduled && (now < scheduled.start || now >= scheduled.end)) {
          refuse(ILLEGAL_TRANSITION, 'start', `it is scheduled for ${isoOrNull(scheduled.start)} – ${isoOrNull(scheduled.end)}; it cannot start at ${isoOrNull(now)}`);
        }
      },
    },
  );

  setHandler(
    completeChangeUpdate,
    async ({ actorId, notes }) => {
      const now = Date.now();
      const from = state;
      implementedAt = now;
      outcome = 'successful';
      if (needsReview(type, outcome)) {
        enterReview(now);
      } else {
        state = 'closed';
        closedAt = now;
      }
      return record('implemented', actorId, from, { notes });
    },
    { validator: (_input) => guard('complete') },
  );

  setHandler(
    failChangeUpdate,
    async ({ actorId, reason, backoutPerformed, backoutNotes }) => {
      const now = Date.now();
      const from = state;
      implementedAt = now;
      outcome = 'failed';
      backout = { performed: backoutPerformed, notes: backoutNotes, reason };
      enterReview(now);
      return record('implementation-failed', actorId, from, { reason, backoutPerformed, backoutNotes });
    },
    { validator: (_input) => guard('fail') },
  );

  setHandler(
    reviewChangeUpdate,
    async ({ actorId, summary, lessons }) => {
      const from = state;
      review = { summary, lessons, actorId };
      state = outcome === 'failed' ? 'failed' : 'closed';
      closedAt = Date.now();
      timers = [];
      return record('reviewed', actorId, from, { summary, lessons, outcome });
    },
    { validator: (_input) => guard('review') },
  );

  setHandler(
    cancelChangeUpdate,
    async ({ actorId, reason }) => {
      const from = state;
      const waiting = state === 'approval' ? undecided() : [];
      state = 'cancelled';
      closeReason = reason;
      closedAt = Date.now();
      timers = [];
      if (waiting.length > 0) notify('rejected', waiting, { ...stageContext(), reason: `cancelled: ${reason}` });
      return record('cancelled', actorId, from, { reason });
    },
    { validator: (_input) => guard('cancel') },
  );

  async function assess() {
    state = 'assessment';
    await record('assessment-started', null, 'submitted');
    const assessed = await serial(() => assessChange({ changeId }));
    risk = assessed.risk;
    plan = assessed.plan;
    // Histories from before templates had a risk limit carry no approvedAs: the change keeps its type.
    type = plan.approvedAs ?? opened.type;
    const now = Date.now();
    const data = { riskScore: risk.score, riskLevel: risk.level, factors: risk.factors, plan: plan.kind, type, stages: plan.stages.map((s) => ({ level: s.level, board: s.board, reason: s.reason })) };
    if (plan.kind === 'impossible') {
      reject(`cannot be approved: ${plan.reason}`);
      notify('rejected', [opened.requesterId], { board: plan.stages[0]?.boardName ?? '', reason: plan.reason, decisions: '-' });
    } else if (plan.kind === 'pre-approved') {
      approve(now);
    } else {
      enterStage(0, now);
    }
    await record('assessed', null, 'assessment', data);
  }

  async function fire(timer: ChangeTimer) {
    fired.add(timer.key);
    const from = state;
    const current = stage();
    const data: Record<string, unknown> = { key: timer.key, dueAt: isoOrNull(timer.at) };
    switch (timer.kind) {
      case 'reminder':
        notify('approval-reminder', undecided(), stageContext(), { level: current!.level, expiresAt: approvalDueAt! });
        data.remindedUserIds = undecided();
        break;
      case 'escalation':
        escalationLevel = Math.max(escalationLevel, 1);
        notify('approval-escalation', [current!.chairId], stageContext());
        break;
      case 'expiry':
        data.tally = tally().text;
        notify('approval-expired', [opened.requesterId, ...undecided()], stageContext());
        reject(`expired: the ${current!.boardName} did not reach its quorum by ${isoOrNull(approvalDueAt)}`);
        break;
      case 'review-reminder':
        notify('review-reminder', [plan!.review.chairId, opened.requesterId], { deadline: isoOrNull(reviewDueAt)! });
        break;
      case 'review-overdue':
        escalationLevel = Math.max(escalationLevel, 1);
        notify('review-overdue', [plan!.review.chairId], { deadline: isoOrNull(reviewDueAt)! });
        break;
    }
    await record(`deadline.${timer.kind}`, null, from, data);
  }

  syncSearchAttributes();
  await serial(() => openChangeRecord(opened));

  while (!FINAL_CHANGE_STATES.includes(state)) {
    if (state === 'submitted') {
      await assess();
      continue;
    }
    const next = timers.find((timer) => !fired.has(timer.key));
    const now = Date.now();
    if (next && next.at <= now) {
      await fire(next);
      continue;
    }
    const seen = version;
    await condition(() => version !== seen, next ? Math.max(1, next.at - now) : undefined);
  }
  await condition(allHandlersFinished);
  await queue.drained();
  if (opened.problemId && patched('fix-change-tells-its-problem')) {
    try {
      await getExternalWorkflowHandle(problemWorkflowId(opened.problemId)).signal(fixChangeEndedSignal, { changeId, state, outcome });
    } catch {
      // The problem was closed by hand meanwhile: nobody is waiting for this fix any more.
    }
  }
}
