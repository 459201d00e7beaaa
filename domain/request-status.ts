// A request's approval tally and the status its workflow answers with (API, action-link pages, tests).
import { describeQuorum, quorumOutcome } from './change';
import { isoOrNull } from './instants';
import type { RequestApprovalPlan, RequestState, SlaClock, TaskProgress } from './request';

export interface RequestDecision {
  approverId: string;
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
  at: string;
}

/** The request's one approval stage: the item's approvers against its quorum. */
export class RequestApproval {
  readonly decisions: RequestDecision[] = [];
  dueAt: number | null = null;

  constructor(readonly plan: RequestApprovalPlan) {}

  get needed(): boolean {
    return this.plan.approverIds.length > 0;
  }

  undecided(): string[] {
    return this.plan.approverIds.filter((id) => !this.decisions.some((d) => d.approverId === id));
  }

  outcome() {
    const approvals = this.decisions.filter((d) => d.decision === 'approve').length;
    return quorumOutcome(this.plan.quorum, this.plan.approverIds.length, approvals, this.decisions.length - approvals);
  }

  /** Why this person's decision cannot be counted, and whether that is who they are (403) or what has happened (409). */
  refusal(input: { actorId: string; decision: 'approve' | 'reject'; comment: string }, requesterId: string): { notAllowed: boolean; message: string } | null {
    if (input.actorId === requesterId) return { notAllowed: true, message: 'a request cannot be approved by its requester (segregation of duties)' };
    if (!this.plan.approverIds.includes(input.actorId)) return { notAllowed: true, message: 'you are not an approver of this request' };
    if (this.decisions.some((d) => d.approverId === input.actorId)) return { notAllowed: false, message: 'you have already decided on this request; each person counts once' };
    if (input.decision === 'reject' && input.comment.trim().length < 3) return { notAllowed: false, message: 'a rejection needs a reason' };
    return null;
  }

  tallyText(): string {
    const approvals = this.decisions.filter((d) => d.decision === 'approve').length;
    return `${approvals} approved, ${this.decisions.length - approvals} rejected, ${this.undecided().length} pending (quorum: ${describeQuorum(this.plan.quorum, this.plan.approverIds.length)})`;
  }
}

export interface ClockStatus {
  dueAt: string | null;
  metAt: string | null;
  breached: boolean;
  /** While the request waits for its requester: the business seconds left. */
  pausedWithSecondsLeft: number | null;
}

export interface TaskStatus {
  id: string;
  position: number;
  name: string;
  groupId: string;
  state: TaskProgress['phase'];
  assigneeId: string | null;
  openedAt: string | null;
  olaDueAt: string | null;
  completedAt: string | null;
  olaBreached: boolean;
  escalationLevel: number;
}

export interface RequestStatus {
  state: RequestState;
  approval: { kind: string; approverIds: string[]; decisions: RequestDecision[]; dueAt: string | null };
  tasks: TaskStatus[];
  response: ClockStatus;
  fulfilment: ClockStatus;
  escalationLevel: number;
  question: string | null;
}

export const clockStatus = (clock: SlaClock): ClockStatus => ({ dueAt: isoOrNull(clock.dueAt), metAt: isoOrNull(clock.metAt), breached: clock.breached, pausedWithSecondsLeft: clock.remainingSeconds });

export const taskStatus = ({ phase, olaPausedSecondsLeft: _left, ...task }: TaskProgress): TaskStatus => ({
  ...task,
  state: phase,
  openedAt: isoOrNull(task.openedAt),
  olaDueAt: isoOrNull(task.olaDueAt),
  completedAt: isoOrNull(task.completedAt),
});
