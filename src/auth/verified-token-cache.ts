import { hash, KeyObject } from 'node:crypto';
import type { AccessTokenClaims } from '../tokens/access-token.service';

/** What a signature check proved about one token: its claims, and which key vouched for them. */
export interface VerifiedToken {
  claims: Partial<AccessTokenClaims>;
  kid: string;
  key: KeyObject;
}

interface Entry extends VerifiedToken {
  /** The token's own `exp` (epoch seconds): the entry is never served at or after it. */
  expiresAt: number;
}

/**
 * Access tokens that passed signature and claim verification, so a token presented again skips the
 * signature check (an ES256 verification is most of what the guard costs). It remembers only what the
 * signature proved. Whatever can change during a token's life is the caller's to check on every request:
 * revocation, the fingerprint binding, the transport, and that the key is still trusted (`key`).
 *
 * Keyed by SHA-256 of the token, never the token itself, so the cache holds nothing a memory dump could
 * replay. Bounded: past `capacity` the least recently used entry goes. Only tokens signed by our own keys
 * get in, so filling it takes valid tokens, not forged ones.
 */
export class VerifiedTokenCache {
  /** In least-recently-used order: a hit moves its entry to the end, so the first key is evicted first. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  /** The verified token, or undefined when unknown or at/after its `exp` (an expired entry is dropped). */
  get(token: string, nowSeconds: number): VerifiedToken | undefined {
    if (this.capacity === 0) return undefined;
    const id = tokenId(token);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (nowSeconds >= entry.expiresAt) return undefined;
    this.entries.set(id, entry);
    return entry;
  }

  /**
   * Remembers a verified token until its `exp`. A token without a numeric `exp`, or with an `nbf` (ours
   * carry none; it would have to be re-checked on each use), is not remembered.
   */
  set(token: string, verified: VerifiedToken): void {
    const { exp, nbf } = verified.claims as { exp?: unknown; nbf?: unknown };
    if (this.capacity === 0 || typeof exp !== 'number' || nbf !== undefined) return;
    const id = tokenId(token);
    this.entries.delete(id);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { ...verified, expiresAt: exp });
  }

  /** Drops expired entries; a sweep, never on the request path. */
  sweep(nowSeconds: number): void {
    for (const [id, entry] of this.entries) if (nowSeconds >= entry.expiresAt) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One-shot hashing: about a third cheaper than createHash() on every request. */
function tokenId(token: string): string {
  return hash('sha256', token, 'base64url');
}
