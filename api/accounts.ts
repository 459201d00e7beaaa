import type { z } from 'zod';
import type { Db } from '../prisma/database';
import type { Prisma, User } from '../prisma/generated/client';
import { orDuplicate } from './duplicates';
import { HttpError } from './problem-details';
import type { CreateUserBody } from './schemas/user';
import { ADMIN_TOKEN_LABEL, checkToken, issueToken, REFUSAL_REASONS } from './tokens';
import { refuseTakenEmail } from './user-directory';

export type NewUser = z.output<typeof CreateUserBody>;
type Tx = Db | Prisma.TransactionClient;

/** A new person, held to the same rules wherever they are created from (API, import, `npm run admin`). */
export async function createUser(prisma: Tx, user: NewUser): Promise<User> {
  await refuseTakenEmail(prisma, user.email);
  // The unique index answers the same 409 when a concurrent request took the address after the check.
  return orDuplicate(prisma.user.create({ data: user }), 'email', `another user already has the e-mail address ${user.email}`);
}

/** A new person with a first token, in one transaction: nobody is left created without a way in. */
export async function createUserWithToken(prisma: Db, user: NewUser, grant: { label: string; expiresAt: Date | null }, secret?: string) {
  return prisma.$transaction(async (tx) => {
    const created = await createUser(tx, user);
    const issued = await issueToken(tx, { userId: created.id, ...grant }, secret);
    return { user: created, ...issued };
  });
}

export interface BootstrapOutcome {
  level: 'info' | 'warn';
  message: string;
}

const CREATE_FIRST_ADMIN = 'npm run admin -- create-user --email <address> --name <name> --role admin';

/**
 * Makes an organisation without demo data reachable from its first start. ITSM_ADMIN_TOKEN creates the first
 * administrator (ITSM_ADMIN_EMAIL) holding that token, and only while there is no active administrator; once
 * there is one, the variable is accepted when it is already an active administrator's token and otherwise
 * ignored with a warning. The environment never revives a revoked or expired token, nor promotes or
 * reactivates an existing account. No message quotes the token.
 */
export async function bootstrapAdministrator(prisma: Db, settings: { token?: string; email: string }, retry = true): Promise<BootstrapOutcome> {
  const activeAdmins = await prisma.user.count({ where: { roles: { has: 'admin' }, deactivatedAt: null } });
  if (!settings.token) {
    return activeAdmins > 0
      ? { level: 'info', message: `administrators: ${activeAdmins} active` }
      : { level: 'warn', message: `no active administrator yet: create one with \`${CREATE_FIRST_ADMIN}\`, or start once with ITSM_ADMIN_TOKEN set` };
  }
  const check = await checkToken(prisma, settings.token);
  if (check.ok) {
    const holder = check.token.user;
    return holder.roles.includes('admin')
      ? { level: 'info', message: `ITSM_ADMIN_TOKEN: a token of administrator ${holder.email}` }
      : { level: 'warn', message: `ITSM_ADMIN_TOKEN belongs to ${holder.email}, who is not an administrator: it grants only their roles` };
  }
  if (check.refusal !== 'unknown') {
    return { level: 'warn', message: `ITSM_ADMIN_TOKEN ${REFUSAL_REASONS[check.refusal]} and grants nothing; the environment does not restore it: issue a new token` };
  }
  if (activeAdmins > 0) {
    return { level: 'warn', message: 'ITSM_ADMIN_TOKEN is ignored: it only creates the first administrator, and there is one; issue tokens with `npm run admin -- issue-token` or POST /api/tokens' };
  }
  const existing = await prisma.user.findFirst({ where: { email: { equals: settings.email, mode: 'insensitive' } } });
  if (existing) {
    // An administrator that appeared after the count above was created by a replica starting at the same moment.
    if (retry && existing.roles.includes('admin') && !existing.deactivatedAt) return bootstrapAdministrator(prisma, settings, false);
    return { level: 'warn', message: `ITSM_ADMIN_TOKEN is ignored: ${existing.email} exists but is not an active administrator, and the environment never promotes or reactivates an account; use \`${CREATE_FIRST_ADMIN}\` with another address` };
  }
  const administrator: NewUser = { email: settings.email, name: 'Administrator', locale: 'en', timeZone: 'UTC', roles: ['admin'] };
  try {
    await createUserWithToken(prisma, administrator, { label: ADMIN_TOKEN_LABEL, expiresAt: null }, settings.token);
  } catch (error) {
    // Another replica starting at the same moment created it first: its outcome is now this one's.
    const raced = (error instanceof HttpError && error.status === 409) || (error as { code?: string }).code === 'P2002';
    if (raced && retry) return bootstrapAdministrator(prisma, settings, false);
    throw error;
  }
  return { level: 'info', message: `created administrator ${settings.email}, holding ITSM_ADMIN_TOKEN` };
}
