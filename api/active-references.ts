import type { Db } from '../prisma/database';
import type { FieldIssue } from './problem-details';

// A reference to a person or a group that will receive work must name one that is still active: a deactivated
// user gets no mail and a deactivated group takes no incidents, so the work would go unseen.

export async function activeUserIssue(prisma: Db, id: string, field: string): Promise<FieldIssue | null> {
  const user = await prisma.user.findUnique({ where: { id } });
  if (!user) return { location: 'body', field, message: `no user ${id}`, code: 'unknown_reference' };
  if (user.deactivatedAt) return { location: 'body', field, message: `user ${user.email} is deactivated`, code: 'inactive_reference' };
  return null;
}

export async function activeGroupIssue(prisma: Db, id: string, field: string): Promise<FieldIssue | null> {
  const group = await prisma.group.findUnique({ where: { id } });
  if (!group) return { location: 'body', field, message: `no group ${id}`, code: 'unknown_reference' };
  if (group.deactivatedAt) return { location: 'body', field, message: `group "${group.name}" is deactivated`, code: 'inactive_reference' };
  return null;
}
