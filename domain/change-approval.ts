// A change's approval by its boards (ISO/IEC 20000-1 clause 8.5.1.2), stage after stage: who may still decide,
// how the votes stand against the board's quorum, and why a decision is refused.
import { describeQuorum, quorumOutcome, stageTimers, type ApprovalPlan, type ApprovalStage, type ChangeState, type ChangeTimer } from './change';
import { isoOrNull } from './instants';

export interface ApprovalDecision {
  approverId: string;
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
  at: string;
}

export interface StageStatus {
  level: number;
  board: string;
  boardName: string;
  quorum: string;
  required: number;
  approverIds: string[];
  decisions: ApprovalDecision[];
  deadline: string;
}

/** How a decision left its stage: approved with the next stage to open, the change approved, rejected, or still open. */
export type DecisionResult = 'next-stage' | 'approved' | 'rejected' | 'pending';

/** The change's state after a decision. */
export const STATE_AFTER_DECISION = { 'next-stage': 'approval', pending: 'approval', approved: 'approved', rejected: 'rejected' } as const satisfies Record<DecisionResult, ChangeState>;

export interface DecisionRefusal {
  /** The person may not decide at all (segregation of duties, not on the board), rather than not now. */
  notAllowed: boolean;
  message: string;
}

export class ApprovalStages {
  plan: ApprovalPlan | null = null;
  /** The stage's deadline, epoch milliseconds; kept once the stage is decided, for the record. */
  dueAt: number | null = null;
  private index = -1;
  private readonly decisions: Record<number, ApprovalDecision[]> = {};

  /** The stage under way (or the last one decided). */
  get stage(): ApprovalStage | null {
    return this.plan && this.index >= 0 ? this.plan.stages[this.index] : null;
  }

  get decided(): ApprovalDecision[] {
    return this.decisions[this.stage?.level ?? 0] ?? [];
  }

  /** The stage's approvers who have not decided yet: the ones reminded, and told when it ends without them. */
  undecided(): string[] {
    return (this.stage?.approverIds ?? []).filter((id) => !this.decided.some((d) => d.approverId === id));
  }

  tally() {
    const stage = this.stage;
    const approvals = this.decided.filter((d) => d.decision === 'approve').length;
    const rejections = this.decided.length - approvals;
    const pending = (stage?.approverIds.length ?? 0) - this.decided.length;
    return { approvals, rejections, text: `${approvals} approved, ${rejections} rejected, ${pending} pending (quorum: ${stage ? describeQuorum(stage.quorum, stage.approverIds.length) : '-'})` };
  }

  /** What every approval mail says about the stage. */
  context() {
    return { board: this.stage?.boardName ?? '', deadline: isoOrNull(this.dueAt) ?? '', decisions: this.tally().text };
  }

  /** Opens the next stage (the first, after assessment) at `now`; returns its reminder, escalation and expiry timers. */
  openNext(now: number): ChangeTimer[] {
    this.index++;
    const planned = stageTimers(this.stage!, now);
    this.dueAt = planned.deadline;
    return planned.timers;
  }

  /** Counts a decision; a stage approved with another to follow says so, and the caller enters that one. */
  decide(made: ApprovalDecision): DecisionResult {
    const stage = this.stage!;
    (this.decisions[stage.level] ??= []).push(made);
    const { approvals, rejections } = this.tally();
    const outcome = quorumOutcome(stage.quorum, stage.approverIds.length, approvals, rejections);
    if (outcome !== 'approved') return outcome;
    return this.index + 1 < this.plan!.stages.length ? 'next-stage' : 'approved';
  }

  /** Why this decision cannot be counted at the stage under way, or null when it can. */
  refusal(decision: { actorId: string; decision: 'approve' | 'reject'; comment: string; level?: number }, requesterId: string): DecisionRefusal | null {
    const stage = this.stage!;
    const refuse = (message: string, notAllowed = false) => ({ notAllowed, message });
    // A decision is made on what its maker was shown: a link or a page for level 1 never decides level 2.
    if (decision.level !== undefined && decision.level !== stage.level) {
      return refuse(`this decision is for approval level ${decision.level}, but the change is now at level ${stage.level} (${stage.boardName}); it was not recorded`);
    }
    if (decision.actorId === requesterId) return refuse('a change cannot be approved by its requester (segregation of duties)', true);
    if (!stage.approverIds.includes(decision.actorId)) return refuse(`you are not an approver of the ${stage.boardName} for this change`, true);
    if (this.decided.some((d) => d.approverId === decision.actorId)) return refuse(`you have already decided at the ${stage.boardName} level; each person counts once`);
    if (decision.decision === 'reject' && decision.comment.trim().length < 3) return refuse('a rejection needs a reason');
    return null;
  }

  status(): StageStatus | null {
    const stage = this.stage;
    return (
      stage && {
        level: stage.level,
        board: stage.board,
        boardName: stage.boardName,
        quorum: describeQuorum(stage.quorum, stage.approverIds.length),
        required: stage.required,
        approverIds: stage.approverIds,
        decisions: this.decided,
        deadline: isoOrNull(this.dueAt)!,
      }
    );
  }
}
