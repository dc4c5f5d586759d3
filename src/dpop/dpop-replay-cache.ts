/**
 * Remembers DPoP proofs already accepted, so each proof is good for one request (RFC 9449 §11.1). One
 * instance keeps them in memory; several instances behind a load balancer need a shared store (Redis),
 * or a proof replayed to another instance would pass there.
 */
export abstract class DpopReplayCache {
  /**
   * Records `key` for `ttlSeconds` and says whether it was new. Atomic: of two concurrent calls with the
   * same key, exactly one gets `true`.
   */
  abstract firstUse(key: string, ttlSeconds: number): Promise<boolean>;
}

/** The default: one process. Entries expire with their proof's acceptance window, so memory follows traffic. */
export class InMemoryDpopReplayCache extends DpopReplayCache {
  private readonly seen = new Map<string, number>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt > now) return Promise.resolve(false);
    this.seen.set(key, now + ttlSeconds * 1000);
    return Promise.resolve(true);
  }

  get size(): number {
    return this.seen.size;
  }

  /** At most once a second, so a flood of proofs pays for one sweep, not one per proof. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
  }
}
