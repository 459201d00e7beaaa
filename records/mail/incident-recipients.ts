import type { EscalationTarget } from '../../domain/sla';
import type { Db } from '../../prisma/database';
import type { Group, GroupMember, Service, User } from '../../prisma/generated/client';
import { recipientSet, type Recipient } from './deliveries';

type GroupWithPeople = Group & { lead: User | null; members: (GroupMember & { user: User })[] };

export interface IncidentPeople {
  requester: User;
  assignee: User | null;
  group: GroupWithPeople | null;
  service: Service & { owner: User | null };
}

export const GROUP_PEOPLE = { lead: true, members: { include: { user: true } } } as const;

const active = (user: User | null | undefined) => (user && !user.deactivatedAt ? user : null);

/** A group is reached at its own address when it has one (a shared mailbox or list, with no single reader: UTC), else through its active members. */
export function groupRecipients(group: GroupWithPeople | null): Recipient[] {
  if (!group) return [];
  if (group.email) return [{ email: group.email, locale: group.locale, timeZone: 'UTC' }];
  return group.members.map((member) => active(member.user)).filter((user): user is User => user !== null);
}

/**
 * Who a notification reaches. While nobody has taken the incident, "assignee" means its group. When the targets
 * name staff but every one of them is missing (no group, no lead, a deactivated owner), the notice goes up the
 * line, to the service owner and then the managers: a timer that exists to make someone act must reach a person.
 */
export async function incidentRecipients(prisma: Db, incident: IncidentPeople, targets: EscalationTarget[]): Promise<Recipient[]> {
  const recipients = recipientSet();
  const addAll = (list: Recipient[]) => list.forEach((recipient) => recipients.add(recipient));
  for (const target of targets) {
    if (target === 'assignee') {
      const assignee = active(incident.assignee);
      if (assignee) recipients.add(assignee);
      else addAll(groupRecipients(incident.group));
    } else if (target === 'group') addAll(groupRecipients(incident.group));
    else if (target === 'groupLead') recipients.add(active(incident.group?.lead));
    else if (target === 'serviceOwner') recipients.add(active(incident.service.owner));
    else if (target === 'requester') recipients.add(active(incident.requester));
    else if ('userEmail' in target) recipients.add(active(await prisma.user.findUnique({ where: { email: target.userEmail } })));
    else if ('userId' in target) recipients.add(active(await prisma.user.findUnique({ where: { id: target.userId } })));
    else addAll(groupRecipients(await prisma.group.findFirst({ where: { id: target.groupId, deactivatedAt: null }, include: GROUP_PEOPLE })));
  }
  const forStaff = targets.some((target) => target !== 'requester');
  if (recipients.values().length === 0 && forStaff) {
    const owner = active(incident.service.owner);
    if (owner) recipients.add(owner);
    else addAll(await prisma.user.findMany({ where: { roles: { has: 'manager' }, deactivatedAt: null }, orderBy: { email: 'asc' } }));
  }
  return recipients.values();
}
