import type { ActionClaims } from '../records/mail/action-tokens';
import type { ApprovalPlan } from '../domain/change';
import type { Db } from '../prisma/database';
import type { User } from '../prisma/generated/client';
import { stepNamed } from './action-steps';
import { MANAGERS } from './auth';

/**
 * Whether the person a link was mailed to still holds what it was mailed for: a link outlives role changes, so
 * each use asks again. Release authorisation: a manager; change decision: a member of the board deciding that
 * level; survey: the requester of the incident or request; an offered step: a role that may take the step through the API (whether
 * this person may take it on this record is the step's validator's to say). A record or step the link names that
 * no longer exists is left to the act's own handling (an invalid link).
 */
export async function stillEntitled(prisma: Db, claims: ActionClaims, owner: User): Promise<boolean> {
  if (claims.act === 'release-authorisation') return owner.roles.some((role) => MANAGERS.includes(role));
  if (claims.act === 'process-step') {
    const step = stepNamed(claims.step);
    return !step || owner.roles.some((role) => step.roles.includes(role));
  }
  if (claims.act === 'satisfaction-survey') {
    const survey = await prisma.satisfactionSurvey.findUnique({ where: { id: claims.surveyId }, select: { requesterId: true } });
    return !survey || survey.requesterId === owner.id;
  }
  const change = await prisma.changeRequest.findUnique({ where: { id: claims.changeId }, select: { approvalPlan: true } });
  const stage = (change?.approvalPlan as unknown as ApprovalPlan | undefined)?.stages.find((s) => s.level === claims.level);
  if (!stage) return true;
  return (await prisma.approvalBoardMember.count({ where: { userId: owner.id, board: { code: stage.board } } })) > 0;
}
