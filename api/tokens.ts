import { createHash, randomBytes } from 'node:crypto';
import { isoOrNull } from '../domain/instants';
import type { Db } from '../prisma/database';
import type { ApiToken, Prisma, User } from '../prisma/generated/client';
import { httpErrors } from './problem-details';
import { forgetTokenGrants } from './token-cache';

type Tx = Db | Prisma.TransactionClient;

/** API tokens are random and stored only as a SHA-256 digest: enough for 256-bit secrets, and fast to look up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `itsm_${randomBytes(32).toString('base64url')}`;
}

/** The label of the token the operator chose with ITSM_ADMIN_TOKEN. */
export const ADMIN_TOKEN_LABEL = 'ITSM_ADMIN_TOKEN';

/** `lastUsedAt` is kept to this resolution: a write on every request would cost more than the request. */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

export type TokenRefusal = 'unknown' | 'revoked' | 'expired' | 'deactivated';

/** Why a token grants nothing, as the end of a sentence about it. */
export const REFUSAL_REASONS: Record<TokenRefusal, string> = {
  unknown: 'is not valid',
  revoked: 'has been revoked',
  expired: 'has expired',
  deactivated: 'belongs to a deactivated user',
};

export type TokenCheck = { ok: true; token: ApiToken & { user: User } } | { ok: false; refusal: TokenRefusal };

/**
 * The one check of a presented secret against the database, behind the bearer header (through the token cache),
 * the session cookie and the sign-in form.
 */
export function checkToken(prisma: Db, secret: string, now = new Date()): Promise<TokenCheck> {
  return checkTokenHash(prisma, hashToken(secret), now);
}

export async function checkTokenHash(prisma: Db, tokenHash: string, now = new Date()): Promise<TokenCheck> {
  const token = await prisma.apiToken.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!token) return { ok: false, refusal: 'unknown' };
  if (token.revokedAt) return { ok: false, refusal: 'revoked' };
  if (token.expiresAt && token.expiresAt <= now) return { ok: false, refusal: 'expired' };
  if (token.user.deactivatedAt) return { ok: false, refusal: 'deactivated' };
  return { ok: true, token };
}

/**
 * Records a use at most once per TOKEN_USE_RESOLUTION_MS. The row just read (or the cached grant) says whether a
 * write is due; the condition on the write keeps simultaneous requests (in this process or another replica) from
 * each writing. True when a write was due: the database then holds a use no older than `now`.
 */
export async function noteTokenUse(prisma: Db, token: Pick<ApiToken, 'id' | 'lastUsedAt'>, now = new Date()): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - TOKEN_USE_RESOLUTION_MS);
  if (token.lastUsedAt && token.lastUsedAt >= staleBefore) return false;
  await prisma.apiToken.updateMany({
    where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
    data: { lastUsedAt: now },
  });
  return true;
}

export function tokenStatus(token: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now = new Date()): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt) return 'revoked';
  return token.expiresAt && token.expiresAt <= now ? 'expired' : 'active';
}

/** What anyone may see of a token: never the secret, nor its hash (a hash of a 256-bit secret is as good as a handle). */
export function tokenView(token: ApiToken, now = new Date()) {
  return {
    id: token.id,
    userId: token.userId,
    label: token.label,
    status: tokenStatus(token, now),
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    expiresAt: isoOrNull(token.expiresAt),
    revokedAt: isoOrNull(token.revokedAt),
    revokedById: token.revokedById,
  };
}

const DAY_MS = 86_400_000;

/** The expiry asked for, as an instant: an explicit one, or a number of days from now; null: it does not expire. */
export function tokenExpiry(asked: { expiresAt?: string; expiresInDays?: number }, now = new Date()): Date | null {
  if (asked.expiresAt) return new Date(asked.expiresAt);
  return asked.expiresInDays ? new Date(now.getTime() + asked.expiresInDays * DAY_MS) : null;
}

/** A new token for a person (a generated secret unless the operator chose one); the database keeps only its hash. */
export async function issueToken(prisma: Tx, grant: { userId: string; label: string; expiresAt: Date | null }, secret = generateToken()) {
  const token = await prisma.apiToken.create({ data: { userId: grant.userId, label: grant.label, expiresAt: grant.expiresAt, tokenHash: hashToken(secret) } });
  return { secret, token };
}

/** Revokes a token once: revoking it again is a 409 that says when and by whom it already was. */
export async function revokeToken(prisma: Db, token: ApiToken, revokedById: string, now = new Date()): Promise<ApiToken> {
  const { count } = await prisma.apiToken.updateMany({ where: { id: token.id, revokedAt: null }, data: { revokedAt: now, revokedById } });
  forgetTokenGrants(prisma);
  const current = await prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
  if (count === 0) {
    throw httpErrors.conflict(`token ${token.id} was already revoked at ${current.revokedAt!.toISOString()}`, { currentState: 'revoked', token: tokenView(current, now) });
  }
  return current;
}
