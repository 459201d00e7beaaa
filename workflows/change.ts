import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type { ApprovalRecord, ChangeActivities, ChangeEventRecord } from '../activities/change';
import type { OutageActivities } from '../activities/outage';
import { CHANGE_TRANSITIONS, changeReference, DEADLINE_COMMANDS, needsReview, reviewTimers, type ChangeCommand, type ChangeOpened, type ChangeState, type ChangeTimer } from '../domain/change';
import { ApprovalStages, STATE_AFTER_DECISION } from '../domain/change-approval';
import { changeAudience, changeCurrentDetails, changeTimerSummary } from '../domain/change-metadata';
import { mailSummary, type MailNotice } from '../domain/mail-notices';
import { changeDueAt, changeProgress, changeSnapshot, changeStatus } from '../domain/change-progress';
import { isoOrNull } from '../domain/instants';
import { problemWorkflowId } from '../domain/problem';
import { isFinal } from '../domain/transitions';
import { ItsmDueAt, ItsmEscalationLevel, ItsmPriority, ItsmState } from '../domain/search-attributes';
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
} from './change.messages';
import { fixChangeEndedSignal } from './problem.messages';
import { RecordProcess } from './record-process';
import { ILLEGAL_TRANSITION, NOT_ALLOWED, SCHEDULE_CONFLICT } from './refusals';

const { openChangeRecord, assessChange, recordChangeChange, scheduleChange, sendChangeNotification } = proxyActivities<ChangeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { openOutages, closeOutages } = proxyActivities<OutageActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// A change that declares downtime takes its services out of service while it is implemented: a planned outage,
// which availability leaves out of the agreed hours. Only changes raised with the declaration reach this patch.
const CHANGE_DOWNTIME_OUTAGE = 'outage-from-change-downtime';

/**
 * One request for change (ISO/IEC 20000-1 clause 8.5.1): assessed, approved by its board(s) with reminders,
 * escalation and expiry, scheduled clear of conflicts, implemented with its cost approved, and reviewed.
 */
export async function changeApproval(opened: ChangeOpened): Promise<void> {
  const { changeId, requesterId } = opened;
  const approval = new ApprovalStages();
  const progress = changeProgress(opened.type);
  /** Every mail sent, by role: who was reminded or escalated to, for the details managers read. */
  const notices: MailNotice[] = [];
  const change: RecordProcess<ChangeState, ChangeCommand> = new RecordProcess({
    table: CHANGE_TRANSITIONS,
    keyPrefix: changeId,
    refusalPrefix: changeReference(opened.number),
    searchAttributes: () => {
      const due = changeDueAt(change.state, progress, approval);
      return [
        [ItsmState, change.state],
        [ItsmPriority, progress.risk?.level ?? null],
        [ItsmEscalationLevel, progress.escalationLevel],
        [ItsmDueAt, due === null ? null : new Date(due)],
      ];
    },
    details: () => changeCurrentDetails({ opened, state: change.state, progress, approval, next: timers.find((timer) => !fired.has(timer.key)) ?? null, notices }),
  });
  let timers: ChangeTimer[] = [];
  const fired = new Set<string>();
  const status = () => changeStatus(change.state, progress, approval);

  const event = (type: string, actorId: string | null, fromState: ChangeState, data: Record<string, unknown>): ChangeEventRecord => ({
    eventKey: change.key(type),
    type,
    actorId,
    at: isoOrNull(Date.now())!,
    fromState,
    toState: change.state,
    data,
  });

  /** Records the step (audit event, decision if any, record snapshot) and returns what the caller sees. */
  async function record(type: string, actorId: string | null, fromState: ChangeState, data: Record<string, unknown> = {}, decision?: ApprovalRecord) {
    change.touch();
    const recorded = { changeId, event: event(type, actorId, fromState, data), snapshot: changeSnapshot(change.state, progress, approval), approval: decision };
    await change.write(() => recordChangeChange.executeWithOptions({ summary: `record: ${type}` }, [recorded]));
    return status();
  }

  function notify(kind: string, toUserIds: (string | null)[], context: Record<string, string> = {}, action?: { level: number; expiresAt: number }) {
    const to = [...new Set(toUserIds.filter((id): id is string => id !== null))];
    if (to.length === 0) return;
    const notice = { at: Date.now(), kind, audience: changeAudience(kind, to, requesterId, approval) };
    notices.push(notice);
    change.send(kind, (key) => sendChangeNotification.executeWithOptions({ summary: mailSummary(notice) }, [{ key, changeId, kind, toUserIds: to, context, action }]));
  }

  // The helpers below prepare a move; the caller makes it with change.transition once everything the search
  // attributes read is in place, so each step upserts them once.
  function openStage(now: number) {
    timers = approval.openNext(now);
    const stage = approval.stage!;
    notify('approval-request', stage.approverIds, approval.context(), { level: stage.level, expiresAt: approval.dueAt! });
  }

  /** After the last stage (or a pre-approval): the work and its cost are authorised. */
  function approve(now: number) {
    progress.costApprovedAt = now;
    timers = [];
    notify('approved', [requesterId], approval.context());
  }

  function end(reason?: string) {
    if (reason !== undefined) progress.closeReason = reason;
    progress.closedAt = Date.now();
    timers = [];
  }

  function openReview(now: number) {
    const planned = reviewTimers(approval.plan!.review, now);
    timers = planned.timers;
    progress.reviewDueAt = planned.deadline;
    notify('review-request', [approval.plan!.review.chairId, requesterId], { deadline: isoOrNull(progress.reviewDueAt)!, reason: progress.outcome ?? '' });
  }

  const downtimeKey = `change:${changeId}:downtime`;
  function endDowntime(at: number) {
    if (opened.downtime && patched(CHANGE_DOWNTIME_OUTAGE)) change.later(() => closeOutages.executeWithOptions({ summary: 'outage: end' }, [{ sourceKey: downtimeKey, endedAt: isoOrNull(at)! }]));
  }

  change.query(changeStatusQuery, status);

  change.update(submitChangeUpdate, 'submit', async ({ actorId }) => {
    const { from } = change.transition('submit');
    return record('submitted', actorId, from);
  });

  change.update(
    decideChangeUpdate,
    'decide',
    async ({ actorId, decision, comment, via }) => {
      const now = Date.now();
      const stage = approval.stage!;
      const at = isoOrNull(now)!;
      const result = approval.decide({ approverId: actorId, decision, comment, via, at });
      const data: Record<string, unknown> = { level: stage.level, board: stage.board, decision, comment, via, tally: approval.tally().text };
      if (result === 'rejected') {
        end(`rejected by the ${stage.boardName}: ${comment}`);
        notify('rejected', [requesterId, ...approval.undecided()], { ...approval.context(), reason: comment });
      } else if (result !== 'pending') {
        data.stageApproved = stage.level;
        if (result === 'next-stage') openStage(now);
        else approve(now);
      }
      const { from } = change.transition('decide', STATE_AFTER_DECISION[result]);
      return record(decision === 'approve' ? 'approval' : 'rejection', actorId, from, data, { level: stage.level, board: stage.board, approverId: actorId, decision, comment, via, decidedAt: at });
    },
    (input) => {
      const refusal = approval.refusal(input, requesterId);
      if (refusal) change.refuse(refusal.notAllowed ? NOT_ALLOWED : ILLEGAL_TRANSITION, 'decide', refusal.message);
    },
  );

  change.update(
    scheduleChangeUpdate,
    'schedule',
    async ({ actorId, start, end, overrideReason }) => {
      const window = { start: Date.parse(start), end: Date.parse(end) };
      // The calendar decides: until it has, the change takes no other command (a cancel, a start, a second window).
      await change.decided('schedule', async () => {
        const next = { ...changeSnapshot(change.state, progress, approval), state: 'scheduled' as const, scheduledStart: start, scheduledEnd: end, conflictOverride: overrideReason ? { reason: overrideReason, actorId, conflicts: [] } : null };
        // Proposed, not yet taken: the activity writes it only when the window is clear or the override accepted.
        const proposed = { ...event('scheduled', actorId, change.state, { start, end, overrideReason }), toState: 'scheduled' as const };
        const result = await change.write(() => scheduleChange.executeWithOptions({ summary: 'schedule: check the window for conflicts' }, [{ changeId, window, overrideAccepted: overrideReason !== null, event: proposed, snapshot: next }]));
        if (!result.scheduled) {
          change.refuse(SCHEDULE_CONFLICT, 'schedule', `the window ${start} – ${end} has ${result.conflicts.length} conflict(s); choose another window or have a manager override with a reason`, { conflicts: result.conflicts });
        }
        progress.scheduled = window;
        progress.conflictOverride = result.conflicts.length > 0 ? { reason: overrideReason!, actorId, conflicts: result.conflicts } : null;
      });
      notify('scheduled', [requesterId]);
      return status();
    },
    ({ start, end, overrideReason, mayOverride }) => {
      if (!(Date.parse(start) < Date.parse(end))) change.refuse(ILLEGAL_TRANSITION, 'schedule', 'the window must end after it starts');
      if (overrideReason !== null && !mayOverride) change.refuse(NOT_ALLOWED, 'schedule', 'only a manager can override scheduling conflicts');
    },
  );

  change.update(
    startChangeUpdate,
    'start',
    async ({ actorId }) => {
      const startedAt = Date.now();
      progress.implementationStartedAt = startedAt;
      const { from } = change.transition('start');
      if (opened.downtime && patched(CHANGE_DOWNTIME_OUTAGE)) {
        const start = { sourceKey: downtimeKey, serviceIds: opened.serviceIds, startedAt: isoOrNull(startedAt)!, planned: true, description: `${changeReference(opened.number)} ${opened.title}`, changeId };
        change.later(() => openOutages.executeWithOptions({ summary: 'outage: start (planned)' }, [start]));
      }
      return record('implementation-started', actorId, from);
    },
    () => {
      const now = Date.now();
      const window = progress.scheduled;
      if (progress.costApprovedAt === null) change.refuse(ILLEGAL_TRANSITION, 'start', 'its cost has not been approved');
      if (window && (now < window.start || now >= window.end)) {
        change.refuse(ILLEGAL_TRANSITION, 'start', `it is scheduled for ${isoOrNull(window.start)} – ${isoOrNull(window.end)}; it cannot start at ${isoOrNull(now)}`);
      }
    },
  );

  change.update(completeChangeUpdate, 'complete', async ({ actorId, notes }) => {
    const now = Date.now();
    progress.implementedAt = now;
    progress.outcome = 'successful';
    const reviewed = needsReview(progress.type, progress.outcome);
    if (reviewed) openReview(now);
    else progress.closedAt = now;
    const { from } = change.transition('complete', reviewed ? 'review' : 'closed');
    endDowntime(now);
    return record('implemented', actorId, from, { notes });
  });

  change.update(failChangeUpdate, 'fail', async ({ actorId, reason, backoutPerformed, backoutNotes }) => {
    const now = Date.now();
    progress.implementedAt = now;
    progress.outcome = 'failed';
    progress.backout = { performed: backoutPerformed, notes: backoutNotes, reason };
    openReview(now);
    const { from } = change.transition('fail');
    endDowntime(now);
    return record('implementation-failed', actorId, from, { reason, backoutPerformed, backoutNotes });
  });

  change.update(reviewChangeUpdate, 'review', async ({ actorId, summary, lessons }) => {
    progress.review = { summary, lessons, actorId };
    end();
    const { from } = change.transition('review', progress.outcome === 'failed' ? 'failed' : 'closed');
    return record('reviewed', actorId, from, { summary, lessons, outcome: progress.outcome });
  });

  change.update(cancelChangeUpdate, 'cancel', async ({ actorId, reason }) => {
    const waiting = change.state === 'approval' ? approval.undecided() : [];
    end(reason);
    const { from } = change.transition('cancel');
    if (waiting.length > 0) notify('rejected', waiting, { ...approval.context(), reason: `cancelled: ${reason}` });
    return record('cancelled', actorId, from, { reason });
  });

  async function assess() {
    const { from } = change.transition('assess');
    await record('assessment-started', null, from);
    const { risk, plan } = await change.write(() => assessChange.executeWithOptions({ summary: 'assess risk and plan approvals' }, [{ changeId }]));
    progress.risk = risk;
    approval.plan = plan;
    // Histories from before templates had a risk limit carry no approvedAs: the change keeps its type.
    progress.type = plan.approvedAs ?? opened.type;
    const now = Date.now();
    const data = { riskScore: risk.score, riskLevel: risk.level, factors: risk.factors, plan: plan.kind, type: progress.type, stages: plan.stages.map((s) => ({ level: s.level, board: s.board, reason: s.reason })) };
    if (plan.kind === 'impossible') {
      end(`cannot be approved: ${plan.reason}`);
      notify('rejected', [requesterId], { board: plan.stages[0]?.boardName ?? '', reason: plan.reason, decisions: '-' });
    } else if (plan.kind === 'pre-approved') {
      approve(now);
    } else {
      openStage(now);
    }
    change.transition('plan', plan.kind === 'impossible' ? 'rejected' : plan.kind === 'pre-approved' ? 'approved' : 'approval');
    await record('assessed', null, 'assessment', data);
  }

  async function fire(timer: ChangeTimer) {
    fired.add(timer.key);
    const stage = approval.stage;
    const review = { deadline: isoOrNull(progress.reviewDueAt)! };
    const data: Record<string, unknown> = { key: timer.key, dueAt: isoOrNull(timer.at) };
    if (timer.kind === 'escalation' || timer.kind === 'review-overdue') progress.escalationLevel = Math.max(progress.escalationLevel, 1);
    switch (timer.kind) {
      case 'reminder':
        notify('approval-reminder', approval.undecided(), approval.context(), { level: stage!.level, expiresAt: approval.dueAt! });
        data.remindedUserIds = approval.undecided();
        break;
      case 'escalation':
        notify('approval-escalation', [stage!.chairId], approval.context());
        break;
      case 'expiry':
        data.tally = approval.tally().text;
        notify('approval-expired', [requesterId, ...approval.undecided()], approval.context());
        end(`expired: the ${stage!.boardName} did not reach its quorum by ${isoOrNull(approval.dueAt)}`);
        break;
      case 'review-reminder':
        notify('review-reminder', [approval.plan!.review.chairId, requesterId], review);
        break;
      case 'review-overdue':
        notify('review-overdue', [approval.plan!.review.chairId], review);
        break;
    }
    const { from } = change.transition(DEADLINE_COMMANDS[timer.kind]);
    await record(`deadline.${timer.kind}`, null, from, data);
  }

  change.sync();
  await change.write(() => openChangeRecord.executeWithOptions({ summary: 'record: opened' }, [opened]));
  // A submitted change is assessed first; then the stage's or the review's deadlines come due.
  const assessment = { kind: 'assessment', at: 0 } as const;
  await change.loop(
    () => isFinal(CHANGE_TRANSITIONS, change.state),
    () => (change.allows('assess') ? assessment : (timers.find((timer) => !fired.has(timer.key)) ?? null)),
    (step) => (step.kind === 'assessment' ? assess() : fire(step)),
    undefined,
    // The assessment is due at once, so only deadlines ever wait on a timer.
    (step) => (step.kind === 'assessment' ? 'assessment' : changeTimerSummary(step, approval)),
  );
  // A decision or a cancel that ended the wait may still be writing, and its mail still queued.
  await change.drain();
  if (opened.problemId && patched('fix-change-tells-its-problem')) {
    try {
      await getExternalWorkflowHandle(problemWorkflowId(opened.problemId)).signal(fixChangeEndedSignal, { changeId, state: change.state, outcome: progress.outcome });
    } catch {
      // The problem was closed by hand meanwhile: nobody is waiting for this fix any more.
    }
  }
}
