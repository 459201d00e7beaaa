import { addBusinessTime, type CalendarDefinition } from './calendar';
import type { TransitionTable } from './transitions';

// The change record's lifecycle (ISO/IEC 20000-1 clause 8.5.1): assessed, approved, scheduled, implemented,
// reviewed. Workflow validators, the API's 409 answers and the action-link pages all read it from here.

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATES = [
  'draft',
  'submitted',
  'assessment',
  'approval',
  'approved',
  'scheduled',
  'implementing',
  'review',
  'closed',
  'rejected',
  'cancelled',
  'failed',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** People's commands, and the steps the process takes itself: assessment, its plan, and the deadlines. */
export type ChangeCommand = 'submit' | 'assess' | 'plan' | 'decide' | 'remind' | 'escalate' | 'expire' | 'schedule' | 'start' | 'complete' | 'fail' | 'review' | 'cancel';

export const CHANGE_TRANSITIONS: TransitionTable<ChangeState, ChangeCommand> = {
  noun: 'change',
  states: CHANGE_STATES,
  initial: 'draft',
  final: ['closed', 'rejected', 'cancelled', 'failed'],
  rules: {
    submit: { from: ['draft'], to: ['submitted'], by: 'person' },
    assess: { from: ['submitted'], to: ['assessment'], by: 'process' },
    // The approval plan routes it: to its first board, straight to approved (a standard change within its
    // template), or to rejected when no board could approve it.
    plan: { from: ['assessment'], to: ['approval', 'approved', 'rejected'], by: 'process' },
    // A decision that does not settle the stage, or settles it with another stage to go, stays in approval.
    decide: { from: ['approval'], to: ['approval', 'approved', 'rejected'], by: 'person' },
    remind: { from: ['approval', 'review'], to: [], by: 'timer' },
    escalate: { from: ['approval', 'review'], to: [], by: 'timer' },
    expire: { from: ['approval'], to: ['rejected'], by: 'timer' },
    // Rescheduling an already scheduled change re-checks its new window.
    schedule: { from: ['approved', 'scheduled'], to: ['scheduled'], by: 'person' },
    start: { from: ['scheduled'], to: ['implementing'], by: 'person' },
    complete: { from: ['implementing'], to: ['review', 'closed'], by: 'person' },
    fail: { from: ['implementing'], to: ['review'], by: 'person' },
    // A failed change is reviewed too, and ends as failed rather than closed.
    review: { from: ['review'], to: ['closed', 'failed'], by: 'person' },
    cancel: { from: ['draft', 'submitted', 'assessment', 'approval', 'approved', 'scheduled'], to: ['cancelled'], by: 'person' },
  },
};

/**
 * Every change but a successful standard one gets a post-implementation review; a failed one is reviewed
 * too, and ends as failed rather than closed.
 */
export function needsReview(type: ChangeType, outcome: 'successful' | 'failed'): boolean {
  return type !== 'standard' || outcome === 'failed';
}

export interface ChangeOpened {
  changeId: string;
  number: number;
  type: ChangeType;
  title: string;
  description: string;
  justification: string;
  implementationPlan: string;
  backoutPlan: string;
  requesterId: string;
  templateId: string | null;
  serviceIds: string[];
  serviceCodes: string[];
  /** Configuration item ids. */
  affectedCis: string[];
  /** The problem this change fixes; told when the change ends. Absent in workflows started before problems. */
  problemId?: string | null;
  plannedStart: string;
  plannedEnd: string;
  estimatedCost: number;
  currency: string;
  riskAnswers: RiskAnswers;
  /** Its implementation takes its services out of service (a planned outage). Absent in workflows started before outages. */
  downtime?: boolean;
  createdAt: string;
}

export function changeWorkflowId(changeId: string): string {
  return `change-${changeId}`;
}

export function changeReference(number: number): string {
  return `CHG-${String(number).padStart(6, '0')}`;
}

// --- Risk -------------------------------------------------------------------------------------------------

/** The assessment questionnaire; each answer carries its weight. */
export const RISK_QUESTIONS = {
  userImpact: { none: 0, few: 1, department: 2, organisation: 3 },
  complexity: { low: 0, medium: 1, high: 2 },
  downtime: { none: 0, partial: 1, full: 2 },
  testedBeforehand: { yes: 0, no: 2 },
  backoutTested: { yes: 0, no: 2 },
  doneBefore: { yes: 0, no: 1 },
} as const;

export type RiskAnswers = { [Q in keyof typeof RISK_QUESTIONS]: keyof (typeof RISK_QUESTIONS)[Q] };

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  /** Which answers and facts contributed, for the record and the approver's page. */
  factors: { factor: string; points: number }[];
}

/**
 * Questionnaire points, plus breadth: each affected service beyond the first (up to two more points) and a
 * point when more than three configuration items are touched.
 */
export function assessRisk(answers: RiskAnswers, affected: { services: number; cis: number }): RiskAssessment {
  const factors: { factor: string; points: number }[] = [];
  for (const question of Object.keys(RISK_QUESTIONS) as (keyof RiskAnswers)[]) {
    const weights = RISK_QUESTIONS[question] as Record<string, number>;
    const points = weights[answers[question]];
    if (points > 0) factors.push({ factor: `${question}=${answers[question]}`, points });
  }
  const breadth = Math.min(2, Math.max(0, affected.services - 1));
  if (breadth > 0) factors.push({ factor: `${affected.services} services affected`, points: breadth });
  if (affected.cis > 3) factors.push({ factor: `${affected.cis} configuration items affected`, points: 1 });
  const score = factors.reduce((sum, f) => sum + f.points, 0);
  const level: RiskLevel = score >= 10 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  return { score, level, factors };
}

export function riskAtLeast(level: RiskLevel, threshold: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(threshold);
}

// --- Quorum -----------------------------------------------------------------------------------------------

export type QuorumRule = { rule: 'any' } | { rule: 'all' } | { rule: 'majority' } | { rule: 'n-of-m'; n: number };

export function requiredApprovals(quorum: QuorumRule, eligible: number): number {
  switch (quorum.rule) {
    case 'any':
      return 1;
    case 'all':
      return eligible;
    case 'majority':
      return Math.floor(eligible / 2) + 1;
    case 'n-of-m':
      return quorum.n;
  }
}

export function describeQuorum(quorum: QuorumRule, eligible: number): string {
  return quorum.rule === 'n-of-m' ? `${quorum.n} of ${eligible}` : `${quorum.rule} of ${eligible}`;
}

export type StageOutcome = 'approved' | 'rejected' | 'pending';

/**
 * Approved once enough approvals are in; rejected as soon as the approvers who have not rejected could no
 * longer reach the quorum, so a decisive "no" ends the stage without waiting for the others.
 */
export function quorumOutcome(quorum: QuorumRule, eligible: number, approvals: number, rejections: number): StageOutcome {
  const required = requiredApprovals(quorum, eligible);
  if (approvals >= required) return 'approved';
  if (eligible - rejections < required) return 'rejected';
  return 'pending';
}

// --- Approval plan ----------------------------------------------------------------------------------------

export interface BoardSnapshot {
  code: string;
  name: string;
  chairId: string | null;
  memberIds: string[];
  quorum: QuorumRule;
  calendar: CalendarDefinition;
  decisionSeconds: number;
  remindBeforeSeconds: number[];
  escalateBeforeSeconds: number | null;
  reviewSeconds: number;
  secondLevel: { board: string; costAbove: number | null; riskAtLeast: RiskLevel | null } | null;
}

export interface ApprovalStage {
  level: number;
  board: string;
  boardName: string;
  /** Board members minus the requester: nobody approves their own change. */
  approverIds: string[];
  quorum: QuorumRule;
  required: number;
  chairId: string | null;
  calendar: CalendarDefinition;
  decisionSeconds: number;
  remindBeforeSeconds: number[];
  escalateBeforeSeconds: number | null;
  /** Why this stage applies, e.g. "cost 250000 above 100000". */
  reason: string;
}

export interface ReviewPlan {
  board: string;
  chairId: string | null;
  calendar: CalendarDefinition;
  reviewSeconds: number;
  remindBeforeSeconds: number[];
}

export type ApprovalPlan = (
  | { kind: 'pre-approved'; stages: []; review: ReviewPlan }
  | { kind: 'stages'; stages: ApprovalStage[]; review: ReviewPlan }
  | { kind: 'impossible'; reason: string; stages: ApprovalStage[]; review: ReviewPlan }
) & {
  /**
   * The type the change is approved as: a standard change riskier than its template allows goes as normal.
   * Absent in plans made before templates had a risk limit.
   */
  approvedAs?: ChangeType;
};

/** The board each change type answers to first (standard changes still name the CAB for their reviews). */
export function firstBoardCode(type: ChangeType): string {
  return type === 'emergency' ? 'ECAB' : 'CAB';
}

/**
 * Standard: pre-approved when it fits its template; outside the template's scope, cost or window it cannot be
 * approved at all, and riskier than the template allows it goes to the CAB as a normal change. Normal: the
 * CAB, then the board's second level when the cost or the risk reaches its marks. Emergency: the ECAB alone
 * (its review afterwards is mandatory).
 */
export function planApprovals(
  change: { type: ChangeType; requesterId: string; estimatedCost: number; risk: RiskLevel; templateFit?: StandardFit },
  boards: Record<string, BoardSnapshot>,
): ApprovalPlan {
  const fit = change.type === 'standard' ? (change.templateFit ?? { fit: 'outside', reason: NO_TEMPLATE }) : null;
  const type: ChangeType = fit?.fit === 'riskier' ? 'normal' : change.type;
  const first = boards[firstBoardCode(type)];
  if (!first) throw new Error(`no approval board ${firstBoardCode(type)} is configured`);
  const review: ReviewPlan = { board: first.code, chairId: first.chairId, calendar: first.calendar, reviewSeconds: first.reviewSeconds, remindBeforeSeconds: first.remindBeforeSeconds };
  if (fit?.fit === 'within') return { kind: 'pre-approved', stages: [], review, approvedAs: type };
  if (fit?.fit === 'outside') return { kind: 'impossible', reason: fit.reason, stages: [], review, approvedAs: type };

  const stage = (board: BoardSnapshot, level: number, reason: string): ApprovalStage => {
    const approverIds = board.memberIds.filter((id) => id !== change.requesterId);
    return {
      level,
      board: board.code,
      boardName: board.name,
      approverIds,
      quorum: board.quorum,
      required: requiredApprovals(board.quorum, approverIds.length),
      chairId: board.chairId,
      calendar: board.calendar,
      decisionSeconds: board.decisionSeconds,
      remindBeforeSeconds: board.remindBeforeSeconds,
      escalateBeforeSeconds: board.escalateBeforeSeconds,
      reason,
    };
  };
  const stages = [stage(first, 1, fit?.fit === 'riskier' ? fit.reason : `${type} change`)];
  const second = type === 'normal' ? first.secondLevel : null;
  if (second) {
    const reasons: string[] = [];
    if (second.costAbove !== null && change.estimatedCost > second.costAbove) reasons.push(`cost ${change.estimatedCost} above ${second.costAbove}`);
    if (second.riskAtLeast !== null && riskAtLeast(change.risk, second.riskAtLeast)) reasons.push(`risk ${change.risk} at or above ${second.riskAtLeast}`);
    if (reasons.length > 0) {
      const board = boards[second.board];
      if (!board) throw new Error(`the second-level board ${second.board} is not configured`);
      stages.push(stage(board, 2, reasons.join('; ')));
    }
  }
  const short = stages.find((s) => s.required > s.approverIds.length || s.required < 1);
  if (short) {
    return {
      kind: 'impossible',
      reason: `${short.boardName} has ${short.approverIds.length} eligible approver(s) besides the requester; its quorum needs ${short.required}`,
      stages,
      review,
      approvedAs: type,
    };
  }
  return { kind: 'stages', stages, review, approvedAs: type };
}

// --- Standard-change templates ----------------------------------------------------------------------------

/** The work a standard-change template pre-approves: on these services and CI types, up to these limits. */
export interface StandardTemplate {
  name: string;
  active: boolean;
  serviceIds: readonly string[];
  ciTypes: readonly string[];
  maxCost: number;
  maxDurationMinutes: number;
  maxRisk: RiskLevel;
}

export interface StandardChangeScope {
  services: readonly { id: string; code: string }[];
  cis: readonly { code: string; type: string }[];
}

export interface TemplateScopeIssue {
  field: 'serviceIds' | 'affectedCis';
  index: number;
  message: string;
}

/**
 * Where a standard change reaches outside its template: a service the template does not name, a configuration
 * item of a type it does not cover. A template pre-approves one kind of work, not whatever cites it.
 */
export function outsideTemplateScope(template: StandardTemplate, change: StandardChangeScope): TemplateScopeIssue[] {
  const issues: TemplateScopeIssue[] = [];
  change.services.forEach((service, index) => {
    if (!template.serviceIds.includes(service.id)) issues.push({ field: 'serviceIds', index, message: `service ${service.code} is not covered by the template "${template.name}"` });
  });
  change.cis.forEach((ci, index) => {
    if (!template.ciTypes.includes(ci.type)) issues.push({ field: 'affectedCis', index, message: `${ci.code} is of type ${ci.type}; the template "${template.name}" covers ${template.ciTypes.join(', ') || 'no configuration items'}` });
  });
  return issues;
}

const NO_TEMPLATE = 'a standard change needs an active standard-change template';

/** How a standard change stands against its template once its risk is known. */
export type StandardFit = { fit: 'within' } | { fit: 'outside'; reason: string } | { fit: 'riskier'; reason: string };

export function standardFit(template: StandardTemplate | null, change: StandardChangeScope & { estimatedCost: number; minutes: number; risk: RiskLevel }): StandardFit {
  if (!template || !template.active) return { fit: 'outside', reason: NO_TEMPLATE };
  // Checked again at assessment: the template's scope may have narrowed since the draft was raised.
  const outside = outsideTemplateScope(template, change);
  if (outside.length > 0) return { fit: 'outside', reason: outside.map((issue) => issue.message).join('; ') };
  if (change.estimatedCost > template.maxCost) return { fit: 'outside', reason: `the estimated cost ${change.estimatedCost} exceeds the template's pre-approved ${template.maxCost}` };
  if (change.minutes > template.maxDurationMinutes) return { fit: 'outside', reason: `the window of ${change.minutes} min exceeds the template's ${template.maxDurationMinutes} min` };
  if (!riskAtLeast(template.maxRisk, change.risk)) return { fit: 'riskier', reason: `risk ${change.risk} is above the ${template.maxRisk} the template "${template.name}" pre-approves` };
  return { fit: 'within' };
}

// --- Deadlines --------------------------------------------------------------------------------------------

export type ChangeTimerKind = 'reminder' | 'escalation' | 'expiry' | 'review-reminder' | 'review-overdue';

/** The table's command for each deadline: reminders and escalations leave the state as it is, expiry rejects. */
export const DEADLINE_COMMANDS: Record<ChangeTimerKind, ChangeCommand> = { reminder: 'remind', 'review-reminder': 'remind', escalation: 'escalate', 'review-overdue': 'escalate', expiry: 'expire' };

export interface ChangeTimer {
  key: string;
  kind: ChangeTimerKind;
  at: number;
}

/** A stage's deadline and the reminder, escalation and expiry instants before it, in business time. */
export function stageTimers(stage: ApprovalStage, startedAt: number): { deadline: number; timers: ChangeTimer[] } {
  const deadline = addBusinessTime(stage.calendar, startedAt, stage.decisionSeconds);
  const before = (seconds: number) => addBusinessTime(stage.calendar, startedAt, Math.max(0, stage.decisionSeconds - seconds));
  const timers: ChangeTimer[] = stage.remindBeforeSeconds
    .filter((seconds) => seconds > 0 && seconds < stage.decisionSeconds)
    .map((seconds) => ({ key: `L${stage.level}:reminder:${seconds}`, kind: 'reminder' as const, at: before(seconds) }));
  if (stage.escalateBeforeSeconds !== null) {
    timers.push({ key: `L${stage.level}:escalation`, kind: 'escalation', at: before(stage.escalateBeforeSeconds) });
  }
  timers.push({ key: `L${stage.level}:expiry`, kind: 'expiry', at: deadline });
  return { deadline, timers: sortTimers(timers) };
}

/** The review's deadline, a reminder before it and the escalation when it passes. */
export function reviewTimers(review: ReviewPlan, implementedAt: number): { deadline: number; timers: ChangeTimer[] } {
  const deadline = addBusinessTime(review.calendar, implementedAt, review.reviewSeconds);
  const timers: ChangeTimer[] = review.remindBeforeSeconds
    .filter((seconds) => seconds > 0 && seconds < review.reviewSeconds)
    .map((seconds) => ({ key: `review:reminder:${seconds}`, kind: 'review-reminder' as const, at: addBusinessTime(review.calendar, implementedAt, review.reviewSeconds - seconds) }));
  timers.push({ key: 'review:overdue', kind: 'review-overdue', at: deadline });
  return { deadline, timers: sortTimers(timers) };
}

// Equal instants keep reminders before escalations before expiry, the order people expect to read them in.
const KIND_ORDER: ChangeTimerKind[] = ['reminder', 'review-reminder', 'escalation', 'expiry', 'review-overdue'];
function sortTimers(timers: ChangeTimer[]): ChangeTimer[] {
  return timers.sort((a, b) => a.at - b.at || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}
