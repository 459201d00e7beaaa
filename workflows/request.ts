import { patched, proxyActivities } from '@temporalio/workflow';
import type { RequestActivities, RequestAudience, RequestMailKind, RequestSnapshot } from '../activities/request';
import type { SatisfactionActivities } from '../activities/satisfaction';
import type { ActionOffer } from '../domain/action-links';
import { isoOrNull } from '../domain/instants';
import { mailSummary, type MailNotice } from '../domain/mail-notices';
import {
  olaReminderAt,
  pauseClock,
  pauseTask,
  REQUEST_TIMER_COMMANDS,
  REQUEST_TRANSITIONS,
  requestReference,
  requestTaskId,
  requestTimers,
  resumeClock,
  resumeTask,
  startClock,
  tasksToOpen,
  type RequestCommand,
  type RequestOpened,
  type RequestState,
  type RequestTimer,
  type SlaClock,
  type TaskProgress,
} from '../domain/request';
import { requestCurrentDetails, requestTimerLabel } from '../domain/request-metadata';
import { clockStatus, RequestApproval, taskStatus, type RequestStatus } from '../domain/request-status';
import { ItsmDueAt, ItsmEscalationLevel, ItsmSlaBreached, ItsmState } from '../domain/search-attributes';
import { addBusinessTime } from '../domain/calendar';
import { isFinal } from '../domain/transitions';
import {
  cancelRequestUpdate,
  completeRequestTaskUpdate,
  confirmRequestUpdate,
  decideRequestUpdate,
  provideInfoUpdate,
  requestInfoUpdate,
  requestStatusQuery,
  takeRequestTaskUpdate,
} from './request.messages';
import { RecordProcess } from './record-process';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';

const { openRequestRecord, recordRequest, sendRequestMail } = proxyActivities<RequestActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });
const { sendRequestSurvey } = proxyActivities<SatisfactionActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '5 minutes' } });

const DECIDE: ActionOffer = { step: 'request.decide' };
const CONFIRM: ActionOffer = { step: 'request.confirm' };

/**
 * One request from the service catalogue (ISO/IEC 20000-1 clause 8.6.2): approved as its item says, fulfilled
 * by groups task after task, each task on its own OLA and the request on its response and fulfilment SLA
 * (paused while the requester is asked for more), confirmed by the requester or closed automatically, surveyed.
 */
export async function requestFulfilment(opened: RequestOpened): Promise<RequestStatus> {
  const { requestId, requesterId, calendar } = opened;
  const approval = new RequestApproval(opened.approval);
  const tasks: TaskProgress[] = opened.fulfilment.tasks.map((task, position) => ({
    id: requestTaskId(requestId, position),
    position,
    name: task.name,
    groupId: task.groupId,
    phase: 'waiting',
    assigneeId: null,
    openedAt: null,
    olaDueAt: null,
    completedAt: null,
    olaBreached: false,
    escalationLevel: 0,
    olaPausedSecondsLeft: null,
  }));
  const notStarted = (): SlaClock => ({ dueAt: null, metAt: null, breached: false, remainingSeconds: null });
  let response = notStarted();
  let fulfilment = notStarted();
  let fulfilledAt: number | null = null;
  let closedAt: number | null = null;
  let escalationLevel = 0;
  let question: string | null = null;
  /** The state to go back to when the requester answers. */
  let askedIn: RequestState | null = null;
  const notices: MailNotice[] = [];
  const fired = new Set<string>();
  const olaSeconds = (task: TaskProgress) => opened.fulfilment.tasks[task.position].olaSeconds;
  // A history from before business-time reminders replays with the clock-time rule; a request running at the
  // upgrade switches at its next new workflow task, which is safe: the new reminder is never later than the old.
  const olaReminder = (task: TaskProgress) => olaReminderAt(calendar, task, olaSeconds(task), !patched('ola-reminder-business-time'))!;
  const timers = () =>
    requestTimers({ state: request.state, approvalDueAt: approval.dueAt, approvalRemindBeforeSeconds: opened.approval.remindBeforeSeconds, response, fulfilment, tasks, olaReminderAt: olaReminder, fulfilledAt, autoCloseAfterSeconds: opened.autoCloseAfterSeconds });
  const nextTimer = () => timers().find((timer) => !fired.has(timer.key)) ?? null;

  const request: RecordProcess<RequestState, RequestCommand> = new RecordProcess({
    table: REQUEST_TRANSITIONS,
    keyPrefix: requestId,
    refusalPrefix: requestReference(opened.number),
    searchAttributes: () => {
      const due = request.state === 'approval' ? approval.dueAt : request.state === 'fulfilment' ? fulfilment.dueAt : null;
      return [
        [ItsmState, request.state],
        [ItsmEscalationLevel, escalationLevel],
        [ItsmSlaBreached, response.breached || fulfilment.breached],
        [ItsmDueAt, due === null ? null : new Date(due)],
      ];
    },
    details: () => {
      const next = nextTimer();
      return requestCurrentDetails(
        { state: request.state, approvalTally: approval.needed ? approval.tallyText() : null, approvalDueAt: approval.dueAt, response, fulfilment, tasks, escalationLevel, next: next ? { label: requestTimerLabel(next), at: next.at } : null, notices },
        Date.now(),
      );
    },
  });

  const status = (): RequestStatus => ({
    state: request.state,
    approval: { kind: opened.approval.kind, approverIds: opened.approval.approverIds, decisions: [...approval.decisions], dueAt: isoOrNull(approval.dueAt) },
    tasks: tasks.map(taskStatus),
    response: clockStatus(response),
    fulfilment: clockStatus(fulfilment),
    escalationLevel,
    question,
  });

  const snapshot = (): RequestSnapshot => ({
    state: request.state,
    responseDueAt: isoOrNull(response.dueAt),
    fulfilmentDueAt: isoOrNull(fulfilment.dueAt),
    respondedAt: isoOrNull(response.metAt),
    fulfilledAt: isoOrNull(fulfilledAt),
    closedAt: isoOrNull(closedAt),
    responseBreached: response.breached,
    fulfilmentBreached: fulfilment.breached,
    tasks: tasks.map(taskStatus),
  });

  /** Writes the step with the record as it now stands; the event's key makes a retry a no-op. */
  function record(type: string, actorId: string | null, fromState: RequestState, data: Record<string, unknown> = {}) {
    request.touch();
    const event = { id: request.key(type), type, actorId, at: isoOrNull(Date.now())!, fromState, toState: request.state, data };
    const fulfilled = type === 'fulfilled';
    // A revocation takes access away; an access request otherwise grants it.
    const revoke = fulfilled && opened.revokes ? { entitlementId: opened.revokes.entitlementId } : undefined;
    const grant = fulfilled && !revoke && opened.kind === 'access' ? { approvedById: approval.decisions.find((d) => d.decision === 'approve')?.approverId ?? null, grantedById: actorId } : undefined;
    return request.write(() => recordRequest.executeWithOptions({ summary: `record: ${type}` }, [{ requestId, event, snapshot: snapshot(), grant, revoke }]));
  }

  function mail(kind: RequestMailKind, to: RequestAudience, audience: string, extra: { offer?: ActionOffer; taskId?: string; text?: string; dueAt?: string } = {}) {
    const notice = { at: Date.now(), kind, audience };
    notices.push(notice);
    request.send(kind, (key) => sendRequestMail.executeWithOptions({ summary: mailSummary(notice) }, [{ key, requestId, kind, to, ...extra }]));
  }

  /** A task's own people: its assignee, or its whole group while nobody has taken it. */
  const workers = (task: TaskProgress): RequestAudience => (task.assigneeId ? { userIds: [task.assigneeId] } : { groupIds: [task.groupId] });

  function openTasks(now: number) {
    for (const task of tasksToOpen(opened.fulfilment.mode, tasks)) {
      task.phase = 'open';
      task.openedAt = now;
      task.olaDueAt = addBusinessTime(calendar, now, olaSeconds(task));
      mail('task-assigned', { groupIds: [task.groupId] }, `group ${opened.fulfilment.tasks[task.position].groupName}`, { taskId: task.id });
    }
  }

  function beginFulfilment(now: number) {
    response = startClock(calendar, now, opened.responseTargetSeconds);
    fulfilment = startClock(calendar, now, opened.fulfilmentTargetSeconds);
    openTasks(now);
  }

  const findTask = (taskId: string) => tasks.find((task) => task.id === taskId);
  function checkTask(command: RequestCommand, { taskId, mayWork }: { taskId: string; mayWork: boolean }) {
    const task = findTask(taskId);
    if (!task) request.refuse(ILLEGAL_TRANSITION, command, `the request has no task ${taskId}`);
    if (task.phase !== 'open') request.refuse(ILLEGAL_TRANSITION, command, `task "${task.name}" is ${task.phase}, not open`);
    if (!mayWork) request.refuse(NOT_ALLOWED, command, `only a member of the task's group or a manager works on task "${task.name}"`);
  }

  request.query(requestStatusQuery, status);

  request.update(
    decideRequestUpdate,
    'decide',
    async ({ actorId, decision, comment, via }) => {
      const now = Date.now();
      approval.decisions.push({ approverId: actorId, decision, comment, via, at: isoOrNull(now)! });
      const outcome = approval.outcome();
      if (outcome === 'approved') beginFulfilment(now);
      if (outcome === 'rejected') closedAt = now;
      const { from } = request.transition('decide', outcome === 'approved' ? 'fulfilment' : outcome === 'rejected' ? 'rejected' : 'approval');
      if (outcome === 'rejected') mail('request-rejected', { userIds: [requesterId] }, 'requester', { text: comment });
      return record(decision === 'approve' ? 'approval' : 'rejection', actorId, from, { decision, comment, via, tally: approval.tallyText() }).then(status);
    },
    (input) => {
      const refusal = approval.refusal(input, requesterId);
      if (refusal) request.refuse(refusal.notAllowed ? NOT_ALLOWED : ILLEGAL_TRANSITION, 'decide', refusal.message);
    },
  );

  request.update(
    takeRequestTaskUpdate,
    'takeTask',
    async ({ actorId, taskId }) => {
      const task = findTask(taskId)!;
      task.assigneeId = actorId;
      // Acceptance by a fulfiller is the request's response.
      if (response.metAt === null) response.metAt = Date.now();
      const { from } = request.transition('takeTask');
      return record('task-taken', actorId, from, { taskId, name: task.name }).then(status);
    },
    (input) => checkTask('takeTask', input),
  );

  request.update(
    completeRequestTaskUpdate,
    'completeTask',
    async ({ actorId, taskId, notes }) => {
      const now = Date.now();
      const task = findTask(taskId)!;
      task.phase = 'done';
      task.completedAt = now;
      task.assigneeId ??= actorId;
      if (response.metAt === null) response.metAt = now;
      const done = tasks.every((t) => t.phase === 'done');
      if (done) {
        fulfilledAt = now;
        fulfilment.metAt = now;
      } else openTasks(now);
      const { from } = request.transition('completeTask', done ? 'fulfilled' : 'fulfilment');
      if (done) mail('request-fulfilled', { userIds: [requesterId] }, 'requester', { offer: CONFIRM });
      return record(done ? 'fulfilled' : 'task-done', actorId, from, { taskId, name: task.name, notes: notes ?? '' }).then(status);
    },
    (input) => checkTask('completeTask', input),
  );

  request.update(
    requestInfoUpdate,
    'requestInfo',
    async ({ actorId, question: asked }) => {
      const now = Date.now();
      askedIn = request.state;
      question = asked;
      pauseClock(calendar, response, now);
      pauseClock(calendar, fulfilment, now);
      for (const task of tasks) pauseTask(calendar, task, now);
      const { from } = request.transition('requestInfo');
      mail('info-needed', { userIds: [requesterId] }, 'requester', { text: asked });
      return record('info-requested', actorId, from, { question: asked }).then(status);
    },
    ({ actorId, isStaff }) => {
      if (actorId === requesterId) request.refuse(NOT_ALLOWED, 'requestInfo', 'the requester answers questions; they do not ask them');
      if (!isStaff && !opened.approval.approverIds.includes(actorId)) request.refuse(NOT_ALLOWED, 'requestInfo', 'only staff and the request’s approvers ask its requester for more information');
    },
  );

  request.update(
    provideInfoUpdate,
    'provideInfo',
    async ({ actorId, answer }) => {
      const now = Date.now();
      resumeClock(calendar, response, now);
      resumeClock(calendar, fulfilment, now);
      for (const task of tasks) resumeTask(calendar, task, now);
      question = null;
      const { from } = request.transition('provideInfo', askedIn!);
      const waiting = request.state === 'approval' ? { userIds: approval.undecided() } : { userIds: tasks.filter((t) => t.phase === 'open' && t.assigneeId).map((t) => t.assigneeId!), groupIds: tasks.filter((t) => t.phase === 'open' && !t.assigneeId).map((t) => t.groupId) };
      mail('info-provided', waiting, request.state === 'approval' ? 'approvers' : 'open tasks', { text: answer });
      return record('info-provided', actorId, from, { answer }).then(status);
    },
    ({ actorId }) => {
      if (actorId !== requesterId) request.refuse(NOT_ALLOWED, 'provideInfo', 'only the requester answers the question');
    },
  );

  request.update(
    confirmRequestUpdate,
    'confirm',
    async ({ actorId }) => {
      closedAt = Date.now();
      const { from } = request.transition('confirm');
      return record('confirmed', actorId, from).then(status);
    },
    ({ actorId }) => {
      if (actorId !== requesterId) request.refuse(NOT_ALLOWED, 'confirm', 'only the requester confirms that the request was fulfilled');
    },
  );

  request.update(
    cancelRequestUpdate,
    'cancel',
    async ({ actorId, reason }) => {
      closedAt = Date.now();
      const open = tasks.filter((t) => t.phase === 'open');
      for (const task of tasks) if (task.phase !== 'done') task.phase = 'cancelled';
      const { from } = request.transition('cancel');
      if (from === 'approval') mail('request-cancelled', { userIds: approval.undecided() }, 'approvers', { text: reason });
      for (const task of open) mail('request-cancelled', workers(task), task.assigneeId ? 'assignee' : 'group', { text: reason, taskId: task.id });
      return record('cancelled', actorId, from, { reason }).then(status);
    },
    ({ actorId, isManager }) => {
      if (actorId !== requesterId && !isManager) request.refuse(NOT_ALLOWED, 'cancel', 'only the requester or a manager cancels a request');
    },
  );

  async function fire(timer: RequestTimer) {
    fired.add(timer.key);
    const command = REQUEST_TIMER_COMMANDS[timer.kind];
    // An Update in the same activation may have moved the request past this deadline.
    if (!request.allows(command)) return;
    const task = timer.taskId ? findTask(timer.taskId)! : null;
    switch (timer.kind) {
      case 'approval-reminder':
        mail('approval-reminder', { userIds: approval.undecided() }, 'approvers', { offer: DECIDE, dueAt: isoOrNull(approval.dueAt)! });
        break;
      case 'approval-escalation':
        escalationLevel = Math.max(escalationLevel, 1);
        mail('approval-escalation', { userIds: opened.approval.escalateToIds }, 'service owner or managers', { dueAt: isoOrNull(approval.dueAt)! });
        break;
      case 'response-breach':
      case 'fulfilment-breach':
        (timer.kind === 'response-breach' ? response : fulfilment).breached = true;
        escalationLevel = Math.max(escalationLevel, 1);
        mail('sla-breach', { userIds: opened.slaEscalateToIds }, 'service owner or managers', { text: timer.kind === 'response-breach' ? 'response' : 'fulfilment' });
        break;
      case 'ola-reminder':
        mail('ola-reminder', workers(task!), task!.assigneeId ? 'assignee' : 'group', { taskId: task!.id });
        break;
      case 'ola-breach':
        task!.olaBreached = true;
        task!.escalationLevel = 1;
        mail('ola-breach', { userIds: opened.fulfilment.tasks[task!.position].escalateToIds, ...workers(task!) }, 'group lead', { taskId: task!.id });
        break;
      case 'auto-close':
        closedAt = Date.now();
        break;
    }
    const { from } = request.transition(command);
    await record(`deadline.${timer.kind}`, null, from, { key: timer.key, dueAt: isoOrNull(timer.at), taskId: timer.taskId });
  }

  request.sync();
  // The opening write heads the queue, so every later write (from an Update or a timer) lands after it.
  void request.write(() => openRequestRecord.executeWithOptions({ summary: 'record: submitted' }, [opened]));
  mail('request-submitted', { userIds: [requesterId] }, 'requester');
  const now = Date.now();
  if (approval.needed) {
    approval.dueAt = addBusinessTime(calendar, now, opened.approval.decisionSeconds);
    request.touch();
    mail('approval-request', { userIds: opened.approval.approverIds }, 'approvers', { offer: DECIDE, dueAt: isoOrNull(approval.dueAt)! });
  } else {
    beginFulfilment(now);
    const { from } = request.transition('begin');
    void record('fulfilment-started', null, from, { approval: 'none' });
  }

  await request.loop(() => isFinal(REQUEST_TRANSITIONS, request.state), nextTimer, fire, undefined, requestTimerLabel);
  await request.drain();
  // A revocation was the system owner's decision, not a service someone asked for: nobody is surveyed.
  if (request.state === 'closed' && !opened.revokes) await sendRequestSurvey.executeWithOptions({ summary: 'mail: satisfaction survey → requester' }, [{ requestId }]);
  return status();
}
