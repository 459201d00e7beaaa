import type { Db } from '../prisma/database';
import type { Principal } from './auth';

/** What an accepted token granted when the database was last asked, and when its use was last recorded. */
export interface TokenGrant {
  /** null for an identity provider's access token, which has no row whose use could be recorded. */
  tokenId: string | null;
  principal: Principal;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

interface Entry {
  grant: TokenGrant;
  checkedAt: number;
}

/** Enough for every token a busy deployment uses within a few seconds; beyond it the least recently used go. */
export const TOKEN_CACHE_ENTRIES = 10_000;

/**
 * Accepted tokens by the SHA-256 of their secret (never the secret): an API call then costs no token lookup.
 * Each reader says how old a grant it accepts. Anything that changes what a token grants calls `forgetAll`; a
 * check that was reading the database meanwhile is not stored afterwards, so it cannot bring the old grant back.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(private readonly maxEntries = TOKEN_CACHE_ENTRIES) {}

  /** The grant checked less than `maxAgeMs` ago and not expired since, else nothing. */
  get(tokenHash: string, maxAgeMs: number, now = Date.now()): TokenGrant | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    this.entries.delete(tokenHash);
    if (now - entry.checkedAt >= maxAgeMs || (entry.grant.expiresAt && entry.grant.expiresAt.getTime() <= now)) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.set(tokenHash, entry);
    return entry.grant;
  }

  /** Taken before the database is read, handed to `set` after. */
  get version(): number {
    return this.generation;
  }

  set(tokenHash: string, grant: TokenGrant, readAtVersion: number, checkedAt = Date.now()): void {
    if (readAtVersion !== this.generation) return;
    this.entries.delete(tokenHash);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { grant, checkedAt });
  }

  forgetAll(): void {
    this.entries.clear();
    this.generation += 1;
  }

  get size(): number {
    return this.entries.size;
  }
}

// One cache per database client: whatever writes through that client can invalidate it without being handed the
// cache, and two databases in one process (the test suites) never see each other's grants.
const caches = new WeakMap<Db, TokenCache>();

export function tokenCacheOf(prisma: Db): TokenCache {
  let cache = caches.get(prisma);
  if (!cache) caches.set(prisma, (cache = new TokenCache()));
  return cache;
}

/**
 * Called after (never before) a write that revokes a token or changes a user's roles, profile or activity has
 * committed: every API request after it is checked against the database again. Other API processes keep their
 * own caches and honour the old grant for at most TOKEN_CACHE_SECONDS.
 */
export function forgetTokenGrants(prisma: Db): void {
  caches.get(prisma)?.forgetAll();
}
