import { pickMember, routeIncident, type AssignmentRuleDefinition, type IntakeFacts, type MemberStrategy } from '../domain/routing';
import type { Db } from '../prisma/database';
import { OPEN_STATES } from '../domain/incident';
import { STAFF } from './auth';

export interface RoutedTo {
  groupId: string;
  ruleId: string | null;
  assignee: { id: string; email: string } | null;
}

/**
 * Where a new incident goes: the first active assignment rule that matches, else the service's default group (passed
 * only while it is active);
 * with a member strategy also one of the group's active members. Null when neither exists (the incident then
 * waits unrouted, and its notices go to the service owner and the managers).
 */
export async function routeNewIncident(prisma: Db, facts: IntakeFacts, activeDefaultGroupId: string | null): Promise<RoutedTo | null> {
  const rules = await prisma.assignmentRule.findMany({ where: { active: true, group: { deactivatedAt: null } } });
  const decision = routeIncident(rules.map((rule) => ({ ...rule, memberStrategy: rule.memberStrategy as MemberStrategy }) satisfies AssignmentRuleDefinition), facts, activeDefaultGroupId);
  if (!decision) return null;
  return { groupId: decision.groupId, ruleId: decision.ruleId, assignee: await pickGroupMember(prisma, decision.groupId, decision.memberStrategy) };
}

async function pickGroupMember(prisma: Db, groupId: string, strategy: MemberStrategy) {
  if (strategy === 'none') return null;
  const group = await prisma.group.findUniqueOrThrow({
    where: { id: groupId },
    // Only active staff take incidents: a requester or CAB member in the group is not someone work can go to.
    include: { members: { where: { user: { deactivatedAt: null, roles: { hasSome: STAFF } } }, include: { user: { select: { id: true, email: true } } } } },
  });
  const users = group.members.map((member) => member.user);
  const open = strategy === 'fewest_open'
    ? await prisma.incident.groupBy({ by: ['assigneeId'], where: { assigneeId: { in: users.map((u) => u.id) }, state: { in: [...OPEN_STATES] } }, _count: { _all: true } })
    : [];
  const chosen = pickMember(strategy, users.map((user) => ({ userId: user.id, openIncidents: open.find((row) => row.assigneeId === user.id)?._count._all ?? 0 })), group.lastRoutedUserId);
  if (!chosen) return null;
  // The rotation moves only if nobody else moved it meanwhile; a lost race hands two incidents to one person,
  // which the next intake evens out.
  await prisma.group.updateMany({ where: { id: groupId, lastRoutedUserId: group.lastRoutedUserId }, data: { lastRoutedUserId: chosen } });
  return users.find((user) => user.id === chosen)!;
}
