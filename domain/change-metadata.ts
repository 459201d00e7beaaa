// A change as a manager reads it in the Temporal UI: the line in the workflow list, the facts it was raised
// with, what it waits for now (board, quorum, reminders, escalation, window), and the names of its timers and
// mail in the timeline. Pure, so the intake, the workflow and the tests build the same text.
import { changeReference, type ChangeOpened, type ChangeState, type ChangeTimer, type RiskAssessment } from './change';
import type { ApprovalStages } from './change-approval';
import type { ChangeProgress } from './change-progress';
import { escalationText, noticesSection, type MailNotice } from './mail-notices';
import { detailsMarkdown, summaryLine, utcInstant, type Fact } from './workflow-metadata';

/** `CHG-000007 · normal · high risk · ERP patch`. */
export function changeSummary(opened: Pick<ChangeOpened, 'number' | 'type' | 'title'>, risk: RiskAssessment): string {
  return summaryLine([changeReference(opened.number), opened.type, `${risk.level} risk`, opened.title]);
}

const riskText = (risk: RiskAssessment) => `${risk.level} (score ${risk.score})`;
const windowText = (start: number, end: number) => `${utcInstant(start)} – ${utcInstant(end)}`;

/** The facts the change was raised with, and where its record is in the API. */
export function changeStartDetails(opened: ChangeOpened, risk: RiskAssessment, requesterName: string, apiUrl: string): string {
  return detailsMarkdown(
    `${changeReference(opened.number)} · ${opened.title}`,
    [
      {
        facts: [
          ['Type', opened.type],
          ['Risk at intake', riskText(risk)],
          ['Requester', requesterName],
          ['Services', opened.serviceCodes.join(', ')],
          ['Configuration items', opened.affectedCis.length || null],
          ['Planned window', windowText(Date.parse(opened.plannedStart), Date.parse(opened.plannedEnd))],
          ['Estimated cost', `${opened.estimatedCost} ${opened.currency}`],
          ['Raised', utcInstant(Date.parse(opened.createdAt))],
        ],
      },
      { heading: 'Justification', facts: [['Why', opened.justification]] },
    ],
    [{ label: 'API record', url: apiUrl }],
  );
}

const ESCALATION_MAIL = ['approval-escalation', 'review-overdue'];

/**
 * Who a mail reaches, by role rather than by id: the requester, the board's chair, its other approvers. Review
 * mail goes to the reviewing board's chair; the rest to the stage's board.
 */
export function changeAudience(kind: string, toUserIds: string[], requesterId: string, approval: ApprovalStages): string {
  const review = kind.startsWith('review');
  const board = (review ? approval.plan?.review.board : approval.stage?.board) ?? 'board';
  const chairId = (review ? approval.plan?.review.chairId : approval.stage?.chairId) ?? null;
  const others = toUserIds.filter((id) => id !== requesterId && id !== chairId).length;
  return [
    toUserIds.includes(requesterId) && 'requester',
    chairId !== null && toUserIds.includes(chairId) && `${board} chair`,
    others > 0 && `${others} ${board} approver${others === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** `CAB reminder`, `approval escalation level 1 → CAB chair`: the timer's name in the timeline. */
export function changeTimerSummary(timer: Pick<ChangeTimer, 'kind'>, approval: ApprovalStages): string {
  const board = approval.stage?.board ?? 'board';
  const reviewBoard = approval.plan?.review.board ?? 'board';
  switch (timer.kind) {
    case 'reminder':
      return `${board} reminder`;
    case 'escalation':
      return `approval escalation level 1 → ${board} chair`;
    case 'expiry':
      return `${board} approval expiry`;
    case 'review-reminder':
      return 'post-implementation review reminder';
    case 'review-overdue':
      return `review overdue: escalation level 1 → ${reviewBoard} chair`;
  }
}

/** Who the change waits for in each state: the person or board that moves it next. */
function waitingOn(state: ChangeState, approval: ApprovalStages): string | null {
  switch (state) {
    case 'draft':
      return 'requester: submit';
    case 'submitted':
    case 'assessment':
      return 'risk and impact assessment';
    case 'approval':
      return `${approval.stage!.boardName}: ${approval.undecided().length} approver(s) undecided`;
    case 'approved':
      return 'change manager: schedule a window';
    case 'scheduled':
    case 'implementing':
      return 'implementer';
    case 'review':
      return `${approval.plan?.review.board ?? 'board'} chair: post-implementation review`;
    default:
      return null;
  }
}

export interface ChangeNow {
  opened: Pick<ChangeOpened, 'number' | 'title' | 'requesterId'>;
  state: ChangeState;
  progress: ChangeProgress;
  approval: ApprovalStages;
  /** The next timer that has not fired, if any. */
  next: ChangeTimer | null;
  notices: MailNotice[];
}

/** The change as it stands: state, who holds it, the board's quorum progress, escalation, window, next deadline. */
export function changeCurrentDetails({ opened, state, progress, approval, next, notices }: ChangeNow): string {
  const stage = approval.stage;
  const scheduled = progress.scheduled;
  const nextDeadline = next ? `${changeTimerSummary(next, approval)} at ${utcInstant(next.at)}` : state === 'scheduled' && scheduled ? `window opens at ${utcInstant(scheduled.start)}` : null;
  const approvalFacts: Fact[] =
    stage && ['approval', 'approved', 'rejected'].includes(state)
      ? [
          ['Board', `${stage.boardName} (${stage.board}), level ${stage.level} of ${approval.plan!.stages.length}`],
          ['Quorum progress', approval.tally().text],
          ['Decision due', utcInstant(approval.dueAt)],
          ['Why this board', stage.reason],
        ]
      : [];
  return detailsMarkdown(
    `${changeReference(opened.number)} · ${opened.title}`,
    [
      {
        facts: [
          ['State', state],
          ['Type', progress.type],
          ['Risk', progress.risk ? riskText(progress.risk) : 'not assessed yet'],
          ['Waiting on', waitingOn(state, approval)],
          ['Escalation level', escalationText(progress.escalationLevel, notices, ESCALATION_MAIL)],
          ['Next deadline', nextDeadline],
        ],
      },
      { heading: 'Approval', facts: approvalFacts },
      {
        heading: 'Schedule and implementation',
        facts: [
          ['Cost approved', utcInstant(progress.costApprovedAt)],
          ['Scheduled window', scheduled && windowText(scheduled.start, scheduled.end)],
          ['Conflict override', progress.conflictOverride?.reason],
          ['Implementation started', utcInstant(progress.implementationStartedAt)],
          ['Outcome', progress.outcome],
          ['Review due', utcInstant(progress.reviewDueAt)],
          ['Closed', utcInstant(progress.closedAt)],
          ['Close reason', progress.closeReason],
        ],
      },
      noticesSection(notices),
    ],
  );
}
