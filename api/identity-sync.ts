import { IANAZone } from 'luxon';
import type { OidcSettings } from '../config/env';
import type { Db } from '../prisma/database';
import type { Prisma, Role, User } from '../prisma/generated/client';
import { createUser } from './accounts';
import type { ProviderClaims } from './identity-provider';
import { HttpError } from './problem-details';
import { forgetTokenGrants } from './token-cache';
import { keepAnAdministrator } from './user-directory';

type Tx = Prisma.TransactionClient;

/** Why a person the provider vouches for still cannot come in. */
export type IdentityRefusal = 'deactivated' | 'no-email' | 'other-account';

export const IDENTITY_REFUSALS: Record<IdentityRefusal, string> = {
  deactivated: 'this account has been deactivated here; ask an administrator',
  'no-email': 'the identity provider sent no e-mail address for this account, and one is needed to create it here',
  'other-account': 'this e-mail address belongs to another account here (signed in through another identity, or not confirmed by the provider)',
};

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);

/**
 * The person's address, and whether the provider vouches for it: Entra ID sends it as `preferred_username` or
 * `upn` when the account has no `email`, and never with `email_verified`; other providers may omit the flag on
 * addresses the person typed in. Only a vouched-for address (or OIDC_TRUST_EMAIL) may claim an existing account.
 */
function emailOf(claims: ProviderClaims, settings: Pick<OidcSettings, 'trustEmail'>): { address: string | null; vouched: boolean } {
  const address = [claims.email, claims.preferred_username, claims.upn].map(text).find((value) => value?.includes('@'))?.toLowerCase() ?? null;
  const verifiedEmail = claims.email_verified === true && text(claims.email)?.toLowerCase() === address;
  return { address, vouched: address !== null && (verifiedEmail || settings.trustEmail) };
}

/** The provider's group claim as a list: most send an array, some a single string for one group. */
export function providerGroups(claims: ProviderClaims, settings: Pick<OidcSettings, 'groupsClaim'>): string[] | null {
  const value = claims[settings.groupsClaim];
  if (value === undefined) return null;
  return (Array.isArray(value) ? value : [value]).filter((group): group is string => typeof group === 'string');
}

/**
 * What the person's provider groups grant here, through the administrators' mappings (and OIDC_ADMIN_GROUP):
 * roles (requester when none is mapped: anyone the organisation lets in may report an incident), the groups they
 * belong to, and every group a mapping names, whose membership the provider therefore decides.
 */
async function grantFor(tx: Tx, settings: Pick<OidcSettings, 'adminGroup'>, groups: string[]) {
  const mappings = await tx.roleMapping.findMany({ include: { group: true } });
  const held = mappings.filter((mapping) => groups.includes(mapping.providerGroup));
  const roles = new Set<Role>(held.flatMap((mapping) => mapping.roles));
  if (settings.adminGroup && groups.includes(settings.adminGroup)) roles.add('admin');
  if (roles.size === 0) roles.add('requester');
  const groupIds = held.flatMap((mapping) => (mapping.group && !mapping.group.deactivatedAt ? [mapping.group.id] : []));
  const managedGroupIds = mappings.flatMap((mapping) => (mapping.groupId ? [mapping.groupId] : []));
  return { roles: [...roles], groupIds: [...new Set(groupIds)], managedGroupIds: [...new Set(managedGroupIds)] };
}

/** The provider may take the admin role from the last active administrator, but the organisation keeps one. */
async function keepsLastAdmin(tx: Tx, user: User): Promise<boolean> {
  try {
    await keepAnAdministrator(tx, [user.id]);
    return false;
  } catch (error) {
    if (error instanceof HttpError && error.status === 409) return true;
    throw error;
  }
}

const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((role) => b.includes(role));

/**
 * The person the provider's claims stand for, created at their first sign-in (e-mail, name, locale) and brought up
 * to date at every later one: found by subject, or the first time by e-mail (an account an administrator created
 * before), then roles and provider-managed group memberships set from the group claim. At sign-in a missing claim
 * means no groups (Keycloak leaves out an empty one); an access token without it says nothing about groups, so the
 * stored grants stay.
 */
export async function syncProviderUser(prisma: Db, settings: OidcSettings, claims: ProviderClaims, source: 'sign-in' | 'access-token'): Promise<{ user: User } | { refusal: IdentityRefusal }> {
  const groups = providerGroups(claims, settings) ?? (source === 'sign-in' ? [] : null);
  const { address: email, vouched } = emailOf(claims, settings);
  const outcome = await prisma.$transaction(async (tx): Promise<{ user: User; rolesChanged: boolean } | { refusal: IdentityRefusal }> => {
    let user = await tx.user.findUnique({ where: { oidcSubject: claims.sub } });
    if (!user && email) {
      user = await tx.user.findFirst({ where: { email: { equals: email, mode: 'insensitive' } } });
      // An address the provider does not vouch for, or one already tied to another subject, claims nobody.
      if (user && (user.oidcSubject || !vouched)) return { refusal: 'other-account' };
    }
    if (user?.deactivatedAt) return { refusal: 'deactivated' };
    if (!user && !email) return { refusal: 'no-email' };
    if (user && groups === null) {
      if (user.oidcSubject !== claims.sub) user = await tx.user.update({ where: { id: user.id }, data: { oidcSubject: claims.sub } });
      return { user, rolesChanged: false };
    }
    const grant = await grantFor(tx, settings, groups ?? []);
    if (!user) {
      const zone = text(claims.zoneinfo);
      user = await createUser(tx, {
        email: email!,
        name: text(claims.name) ?? ([text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ') || email!),
        locale: text(claims.locale)?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en',
        timeZone: zone && IANAZone.isValidZone(zone) ? zone : 'UTC',
        roles: grant.roles,
      });
    }
    const roles = user.roles.includes('admin') && !grant.roles.includes('admin') && (await keepsLastAdmin(tx, user)) ? [...grant.roles, 'admin' as const] : grant.roles;
    const rolesChanged = !sameRoles(roles, user.roles);
    if (rolesChanged || user.oidcSubject !== claims.sub) user = await tx.user.update({ where: { id: user.id }, data: { roles, oidcSubject: claims.sub } });
    const leaving = grant.managedGroupIds.filter((groupId) => !grant.groupIds.includes(groupId));
    await tx.groupMember.deleteMany({ where: { userId: user.id, groupId: { in: leaving } } });
    await tx.groupMember.createMany({ data: grant.groupIds.map((groupId) => ({ groupId, userId: user!.id })), skipDuplicates: true });
    return { user, rolesChanged };
  });
  if ('refusal' in outcome) return outcome;
  // Cached grants of this person's API tokens must not outlive the roles the provider just took away.
  if (outcome.rolesChanged) forgetTokenGrants(prisma);
  return { user: outcome.user };
}
