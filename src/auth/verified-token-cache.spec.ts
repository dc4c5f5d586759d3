import { generateKeyPairSync } from 'node:crypto';
import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const verified = (exp: number, extra: Record<string, unknown> = {}) => ({
    claims: { sub: 'u', exp, ...extra },
    kid: 'kid-1',
    key,
  });

  it('serves an entry until, and never at or after, the token exp', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('token', verified(100));
    expect(cache.get('token', 99)?.claims.sub).toBe('u');
    expect(cache.get('token', 100)).toBeUndefined();
    // Dropped once seen expired, not merely hidden.
    expect(cache.size).toBe(0);
  });

  it('remembers nothing without a numeric exp, or with an nbf it would have to re-check', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('no-exp', { claims: { sub: 'u' }, kid: 'kid-1', key });
    cache.set('nbf', verified(100, { nbf: 50 }));
    expect(cache.size).toBe(0);
  });

  it('holds at most its capacity, evicting the least recently used', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', verified(100));
    cache.set('b', verified(100));
    cache.get('a', 1);
    cache.set('c', verified(100));
    expect(cache.size).toBe(2);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
  });

  it('keys entries by a hash of the token: another token never hits, and 0 turns it off', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('token', verified(100));
    expect(cache.get('token2', 1)).toBeUndefined();
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()])).not.toContain(
      'token',
    );
    const off = new VerifiedTokenCache(0);
    off.set('token', verified(100));
    expect(off.get('token', 1)).toBeUndefined();
  });

  it('sweeps expired entries', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('old', verified(10));
    cache.set('new', verified(100));
    cache.sweep(10);
    expect(cache.size).toBe(1);
  });
});
