import { isoOrNull } from '../domain/instants';
import type { Db } from '../prisma/database';
import type { Prisma, User } from '../prisma/generated/client';
import { duplicate } from './duplicates';
import { httpErrors } from './problem-details';

export function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    timeZone: user.timeZone,
    roles: user.roles,
    managerId: user.managerId,
    active: user.deactivatedAt === null,
    deactivatedAt: isoOrNull(user.deactivatedAt),
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** Addresses differ only in case for a mail server, so they do here too. */
export async function refuseTakenEmail(prisma: Db | Prisma.TransactionClient, email: string, exceptUserId?: string) {
  const holder = await prisma.user.findFirst({ where: { email: { equals: email, mode: 'insensitive' }, ...(exceptUserId ? { NOT: { id: exceptUserId } } : {}) } });
  if (holder) throw duplicate('email', `another user already has the e-mail address ${email}`);
}

/**
 * Refuses a change that would leave no active administrator: nobody could then manage users or issue tokens
 * through the API. The active administrators' rows are locked until the transaction ends, so two requests
 * cannot each remove one of the last two. `arriving` counts administrators the same transaction creates.
 */
export async function keepAnAdministrator(tx: Prisma.TransactionClient, losing: string[], arriving = 0) {
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE 'admin' = ANY(roles) AND "deactivatedAt" IS NULL FOR UPDATE`;
  const remaining = admins.filter((admin) => !losing.includes(admin.id)).length + arriving;
  if (remaining === 0 && admins.length > 0) {
    throw httpErrors.conflict('the change would leave no active administrator; give another person the admin role first', { currentState: 'last-active-administrator' });
  }
}
