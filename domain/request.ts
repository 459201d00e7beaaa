// Service requests from the catalogue (ISO/IEC 20000-1 clause 8.6.2, request fulfilment): approved as the item
// says, fulfilled by groups task after task, each task on its own OLA, the whole request on its response and
// fulfilment SLA, confirmed by the requester and surveyed.
import { addBusinessTime, businessTimeBetween, type CalendarDefinition } from './calendar';
import type { QuorumRule } from './change';
import type { FormAnswers, RequestForm } from './request-form';
import type { TransitionTable } from './transitions';

export const REQUEST_STATES = ['approval', 'fulfilment', 'info_needed', 'fulfilled', 'closed', 'rejected', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export type RequestCommand =
  | 'decide'
  | 'begin'
  | 'takeTask'
  | 'completeTask'
  | 'requestInfo'
  | 'provideInfo'
  | 'confirm'
  | 'autoClose'
  | 'cancel'
  | 'remind'
  | 'escalate';

export const REQUEST_TRANSITIONS: TransitionTable<RequestState, RequestCommand> = {
  noun: 'request',
  states: REQUEST_STATES,
  initial: 'approval',
  final: ['closed', 'rejected', 'cancelled'],
  rules: {
    // A decision may leave the stage open (a group's quorum not reached yet).
    decide: { from: ['approval'], to: ['fulfilment', 'rejected'], stays: true, by: 'person' },
    // An item that needs no approval, or approvals complete: fulfilment starts.
    begin: { from: ['approval'], to: ['fulfilment'], by: 'process' },
    takeTask: { from: ['fulfilment'], to: [], by: 'person' },
    // The last task done fulfils the request.
    completeTask: { from: ['fulfilment'], to: ['fulfilled'], stays: true, by: 'person' },
    // Waiting for the requester pauses the SLA and every task's OLA.
    requestInfo: { from: ['approval', 'fulfilment'], to: ['info_needed'], by: 'person' },
    provideInfo: { from: ['info_needed'], to: ['approval', 'fulfilment'], by: 'person' },
    confirm: { from: ['fulfilled'], to: ['closed'], by: 'person' },
    autoClose: { from: ['fulfilled'], to: ['closed'], by: 'timer' },
    cancel: { from: ['approval', 'fulfilment', 'info_needed'], to: ['cancelled'], by: 'person' },
    remind: { from: ['approval', 'fulfilment'], to: [], by: 'timer' },
    escalate: { from: ['approval', 'fulfilment'], to: [], by: 'timer' },
  },
};

export const APPROVAL_KINDS = ['none', 'manager', 'service_owner', 'group'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** The approvals an item asks for, as a manager defines them. */
export interface ItemApproval {
  kind: ApprovalKind;
  groupId?: string;
  quorum?: QuorumRule;
  /** Business seconds on the item's calendar the approvers have; reminded before, escalated at it. */
  decisionSeconds: number;
  remindBeforeSeconds: number[];
}

export interface ItemTask {
  name: string;
  groupId: string;
  /** The group's operational level agreement for this task, in business seconds. */
  olaSeconds: number;
}

export interface ItemFulfilment {
  mode: 'ordered' | 'parallel';
  tasks: ItemTask[];
}

/** The approval as resolved for one request: who decides, and who hears when they do not. */
export interface RequestApprovalPlan {
  kind: ApprovalKind;
  approverIds: string[];
  quorum: QuorumRule;
  /** Who is told when the deadline passes: the service owner, else the managers (the API resolves it). */
  escalateToIds: string[];
  decisionSeconds: number;
  remindBeforeSeconds: number[];
}

/** A task as the workflow carries it: the group, its lead (or null) and the people who work it. */
export interface TaskPlan extends ItemTask {
  groupName: string;
  /** Who hears when the OLA is missed: the group lead, else the managers. */
  escalateToIds: string[];
}

/** Everything the workflow needs, fixed when the request is submitted (the item's version included). */
export interface RequestOpened {
  requestId: string;
  number: number;
  itemId: string;
  itemCode: string;
  itemName: string;
  itemVersion: number;
  kind: 'standard' | 'access';
  serviceId: string;
  serviceName: string;
  requesterId: string;
  form: RequestForm;
  answers: FormAnswers;
  approval: RequestApprovalPlan;
  fulfilment: { mode: 'ordered' | 'parallel'; tasks: TaskPlan[] };
  calendar: CalendarDefinition;
  responseTargetSeconds: number;
  fulfilmentTargetSeconds: number;
  autoCloseAfterSeconds: number;
  /** Who hears when the request's SLA is breached: the service owner, else the managers. */
  slaEscalateToIds: string[];
  /** A revocation: the entitlement it takes away once fulfilled, and why. */
  revokes?: { entitlementId: string; reason: string };
  openedAt: string;
}

export const requestWorkflowId = (requestId: string) => `request-${requestId}`;
export const requestReference = (number: number) => `REQ-${String(number).padStart(6, '0')}`;
export const requestTaskId = (requestId: string, position: number) => `${requestId}:task:${position}`;
/** A request that needs nobody's approval goes straight to fulfilment. */
export const requestOpeningState = (opened: Pick<RequestOpened, 'approval'>) => (opened.approval.approverIds.length > 0 ? 'approval' : 'fulfilment');

export type TaskState = 'waiting' | 'open' | 'done' | 'cancelled';

export interface TaskProgress {
  id: string;
  position: number;
  name: string;
  groupId: string;
  /** Where the task stands (the request's own `state` is the kernel's alone to move). */
  phase: TaskState;
  assigneeId: string | null;
  openedAt: number | null;
  olaDueAt: number | null;
  completedAt: number | null;
  olaBreached: boolean;
  escalationLevel: number;
  /** While the request waits for its requester: the OLA's business seconds left. */
  olaPausedSecondsLeft: number | null;
}

/** A clock that counts business time on the item's calendar and stops while the request waits for its requester. */
export interface SlaClock {
  dueAt: number | null;
  metAt: number | null;
  breached: boolean;
  /** Business seconds left when the clock was paused. */
  remainingSeconds: number | null;
}

export const startClock = (calendar: CalendarDefinition, now: number, seconds: number): SlaClock => ({ dueAt: addBusinessTime(calendar, now, seconds), metAt: null, breached: false, remainingSeconds: null });

/** Business seconds from `now` to a deadline: what a paused clock keeps. */
const secondsLeft = (calendar: CalendarDefinition, now: number, dueAt: number) => Math.max(0, businessTimeBetween(calendar, now, dueAt));

/** Stops a running clock, keeping the business time left (none once it is met or breached). */
export function pauseClock(calendar: CalendarDefinition, clock: SlaClock, now: number): void {
  if (clock.dueAt === null || clock.metAt !== null || clock.breached) return;
  clock.remainingSeconds = secondsLeft(calendar, now, clock.dueAt);
  clock.dueAt = null;
}

export function resumeClock(calendar: CalendarDefinition, clock: SlaClock, now: number): void {
  if (clock.remainingSeconds === null) return;
  clock.dueAt = addBusinessTime(calendar, now, clock.remainingSeconds);
  clock.remainingSeconds = null;
}

/** Stops or restarts an open task's OLA with the request's clocks. */
export function pauseTask(calendar: CalendarDefinition, task: TaskProgress, now: number): void {
  if (task.phase !== 'open' || task.olaDueAt === null || task.olaBreached) return;
  task.olaPausedSecondsLeft = secondsLeft(calendar, now, task.olaDueAt);
  task.olaDueAt = null;
}

export function resumeTask(calendar: CalendarDefinition, task: TaskProgress, now: number): void {
  if (task.olaPausedSecondsLeft === null) return;
  task.olaDueAt = addBusinessTime(calendar, now, task.olaPausedSecondsLeft);
  task.olaPausedSecondsLeft = null;
}

/** The tasks that open when fulfilment starts (all in parallel mode, the first in ordered mode), then after each one done. */
export function tasksToOpen(mode: 'ordered' | 'parallel', tasks: TaskProgress[]): TaskProgress[] {
  const waiting = tasks.filter((task) => task.phase === 'waiting');
  if (mode === 'parallel') return waiting;
  if (tasks.some((task) => task.phase === 'open')) return [];
  return waiting.slice(0, 1);
}

export type RequestTimerKind = 'approval-reminder' | 'approval-escalation' | 'response-breach' | 'fulfilment-breach' | 'ola-reminder' | 'ola-breach' | 'auto-close';

export interface RequestTimer {
  key: string;
  kind: RequestTimerKind;
  at: number;
  /** The task an OLA timer belongs to. */
  taskId?: string;
}

export const REQUEST_TIMER_COMMANDS: Record<RequestTimerKind, RequestCommand> = {
  'approval-reminder': 'remind',
  'ola-reminder': 'remind',
  'approval-escalation': 'escalate',
  'response-breach': 'escalate',
  'fulfilment-breach': 'escalate',
  'ola-breach': 'escalate',
  'auto-close': 'autoClose',
};

/**
 * When an open task's group is reminded: with a quarter of its OLA's business time left, so an OLA that ends on
 * Monday morning is not announced over the weekend. `wallClock` is the first version's rule (a quarter of the
 * OLA in clock time before its end), kept for the requests that ran on it.
 */
export function olaReminderAt(calendar: CalendarDefinition, task: TaskProgress, olaSeconds: number, wallClock = false): number | null {
  if (task.olaDueAt === null) return null;
  if (wallClock) return task.olaDueAt - Math.round(olaSeconds * 250);
  // addBusinessTime counts forwards only: from the opening, a quarter of the OLA's business time short of its end.
  const from = Math.min(task.openedAt ?? task.olaDueAt, task.olaDueAt);
  return Math.round(addBusinessTime(calendar, from, Math.max(0, businessTimeBetween(calendar, from, task.olaDueAt) - olaSeconds / 4)));
}

/** Fulfilled on time: fulfilled before its due instant and never breached, as the service report counts. */
export const fulfilledOnTime = (request: { fulfilledAt: Date | null; fulfilmentBreached: boolean }) => request.fulfilledAt !== null && !request.fulfilmentBreached;

/** The request's clocks, tasks and approval deadline as the deadline loop reads them. */
export interface RequestClocks {
  state: RequestState;
  approvalDueAt: number | null;
  approvalRemindBeforeSeconds: number[];
  response: SlaClock;
  fulfilment: SlaClock;
  tasks: TaskProgress[];
  /** When an open task's reminder is due (olaReminderAt on the request's calendar). */
  olaReminderAt: (task: TaskProgress) => number;
  fulfilledAt: number | null;
  autoCloseAfterSeconds: number;
}

/** Every deadline still ahead in the current state, earliest first; the loop fires each key once. */
export function requestTimers(c: RequestClocks): RequestTimer[] {
  const timers: RequestTimer[] = [];
  if (c.state === 'approval' && c.approvalDueAt !== null) {
    for (const seconds of c.approvalRemindBeforeSeconds) timers.push({ key: `approval-reminder:${seconds}`, kind: 'approval-reminder', at: c.approvalDueAt - seconds * 1000 });
    timers.push({ key: 'approval-escalation', kind: 'approval-escalation', at: c.approvalDueAt });
  }
  if (c.state === 'fulfilment') {
    if (c.response.dueAt !== null && c.response.metAt === null && !c.response.breached) timers.push({ key: 'response-breach', kind: 'response-breach', at: c.response.dueAt });
    if (c.fulfilment.dueAt !== null && !c.fulfilment.breached) timers.push({ key: 'fulfilment-breach', kind: 'fulfilment-breach', at: c.fulfilment.dueAt });
    for (const task of c.tasks.filter((t) => t.phase === 'open' && t.olaDueAt !== null && !t.olaBreached)) {
      timers.push({ key: `ola-reminder:${task.id}`, kind: 'ola-reminder', at: c.olaReminderAt(task), taskId: task.id });
      timers.push({ key: `ola-breach:${task.id}`, kind: 'ola-breach', at: task.olaDueAt!, taskId: task.id });
    }
  }
  if (c.state === 'fulfilled' && c.fulfilledAt !== null) timers.push({ key: 'auto-close', kind: 'auto-close', at: c.fulfilledAt + c.autoCloseAfterSeconds * 1000 });
  return timers.sort((a, b) => a.at - b.at);
}
