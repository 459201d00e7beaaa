// Intake routing: which group a new incident lands in, and optionally which of its members. Pure, so the API,
// the admin preview and the tests all evaluate the same rules the same way.

export const MEMBER_STRATEGIES = ['none', 'round_robin', 'fewest_open'] as const;
export type MemberStrategy = (typeof MEMBER_STRATEGIES)[number];

export const INTAKE_CHANNELS = ['phone', 'email', 'web', 'api', 'walk-in'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

export interface AssignmentRuleDefinition {
  id: string;
  position: number;
  serviceId: string | null;
  category: string | null;
  ciType: string | null;
  groupId: string;
  memberStrategy: MemberStrategy;
}

export interface IntakeFacts {
  serviceId: string;
  category: string | null;
  ciTypes: string[];
}

export interface RoutingDecision {
  groupId: string;
  memberStrategy: MemberStrategy;
  /** The rule that matched, or null when the service's default group took the incident. */
  ruleId: string | null;
}

export function ruleMatches(rule: AssignmentRuleDefinition, facts: IntakeFacts): boolean {
  if (rule.serviceId !== null && rule.serviceId !== facts.serviceId) return false;
  if (rule.category !== null && rule.category !== facts.category) return false;
  if (rule.ciType !== null && !facts.ciTypes.includes(rule.ciType)) return false;
  return true;
}

/** The first matching rule in position order; the service's default group is the last rule. */
export function routeIncident(rules: AssignmentRuleDefinition[], facts: IntakeFacts, defaultGroupId: string | null): RoutingDecision | null {
  const ordered = [...rules].sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  const rule = ordered.find((candidate) => ruleMatches(candidate, facts));
  if (rule) return { groupId: rule.groupId, memberStrategy: rule.memberStrategy, ruleId: rule.id };
  return defaultGroupId ? { groupId: defaultGroupId, memberStrategy: 'none', ruleId: null } : null;
}

export interface Candidate {
  userId: string;
  openIncidents: number;
}

/**
 * Picks a member: round robin takes the next after the last one handed an incident (in a stable order);
 * fewest open takes whoever holds the fewest open incidents, ties going round the same order.
 */
export function pickMember(strategy: MemberStrategy, members: Candidate[], lastRoutedUserId: string | null): string | null {
  if (strategy === 'none' || members.length === 0) return null;
  const ordered = [...members].sort((a, b) => a.userId.localeCompare(b.userId));
  const after = lastRoutedUserId === null ? -1 : ordered.findIndex((member) => member.userId === lastRoutedUserId);
  const rotation = [...ordered.slice(after + 1), ...ordered.slice(0, after + 1)];
  if (strategy === 'round_robin') return rotation[0].userId;
  const fewest = Math.min(...rotation.map((member) => member.openIncidents));
  return rotation.find((member) => member.openIncidents === fewest)!.userId;
}
