import { pickMember, routeIncident, type AssignmentRuleDefinition, type IntakeFacts, type MemberStrategy } from '../domain/routing';
import type { Db } from '../prisma/database';
import { Prisma } from '../prisma/generated/client';
import { OPEN_STATES } from '../domain/incident';
import { STAFF } from './auth';

export interface RoutedTo {
  groupId: string;
  ruleId: string | null;
  assignee: { id: string; email: string } | null;
}

/**
 * The active assignment rules that can route an incident of this service (to a group that is active), as one JSON
 * array: a scalar subquery, so intake reads them in the same statement as the service.
 */
export function applicableRulesSql(serviceId: string): Prisma.Sql {
  return Prisma.sql`(SELECT COALESCE(json_agg(json_build_object(
      'id', r.id, 'position', r.position, 'serviceId', r."serviceId", 'category', r.category, 'ciType', r."ciType",
      'groupId', r."groupId", 'memberStrategy', r."memberStrategy")), '[]'::json)
    FROM "AssignmentRule" r JOIN "Group" g ON g.id = r."groupId"
    WHERE r.active AND g."deactivatedAt" IS NULL AND (r."serviceId" IS NULL OR r."serviceId" = ${serviceId}::uuid))`;
}

/**
 * Where a new incident goes: the first of `rules` that matches, else the service's default group (passed only
 * while it is active); with a member strategy also one of the group's active members. Null when neither exists
 * (the incident then waits unrouted, and its notices go to the service owner and the managers).
 */
export async function routeNewIncident(prisma: Db, rules: AssignmentRuleDefinition[], facts: IntakeFacts, activeDefaultGroupId: string | null): Promise<RoutedTo | null> {
  const decision = routeIncident(rules, facts, activeDefaultGroupId);
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
