import { TokenCache, type TokenGrant } from '../../api/token-cache';

const grant = (tokenId: string, expiresAt: Date | null = null): TokenGrant => ({
  tokenId,
  principal: { id: `user-${tokenId}`, email: `${tokenId}@example.org`, name: tokenId, roles: ['agent'], locale: 'en', timeZone: 'UTC' },
  expiresAt,
  lastUsedAt: null,
});

describe('token cache', () => {
  const T0 = Date.UTC(2026, 0, 5, 9);

  it('answers with a grant younger than the reader accepts, and never past the token’s own expiry', () => {
    const cache = new TokenCache();
    cache.set('a', grant('a'), cache.version, T0);
    expect(cache.get('a', 5_000, T0 + 4_999)?.tokenId).toBe('a');
    expect(cache.get('a', 5_000, T0 + 5_000)).toBeUndefined();
    expect(cache.size).toBe(0);

    cache.set('b', grant('b', new Date(T0 + 1_000)), cache.version, T0);
    expect(cache.get('b', 5_000, T0 + 999)?.tokenId).toBe('b');
    expect(cache.get('b', 5_000, T0 + 1_000)).toBeUndefined();
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new TokenCache(2);
    cache.set('a', grant('a'), cache.version, T0);
    cache.set('b', grant('b'), cache.version, T0);
    expect(cache.get('a', 5_000, T0)).toBeDefined();
    cache.set('c', grant('c'), cache.version, T0);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 5_000, T0)).toBeUndefined();
    expect(cache.get('a', 5_000, T0)).toBeDefined();
    expect(cache.get('c', 5_000, T0)).toBeDefined();
  });

  it('forgets everything on a change of grants, and does not store a check that was reading meanwhile', () => {
    const cache = new TokenCache();
    cache.set('a', grant('a'), cache.version, T0);
    const readingSince = cache.version;
    cache.forgetAll();
    expect(cache.get('a', 5_000, T0)).toBeUndefined();
    cache.set('b', grant('b'), readingSince, T0);
    expect(cache.get('b', 5_000, T0)).toBeUndefined();
    cache.set('b', grant('b'), cache.version, T0);
    expect(cache.get('b', 5_000, T0)?.tokenId).toBe('b');
  });
});
