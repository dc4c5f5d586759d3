import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '../common/clock/clock';

/** What `increment` answers (the library declares the type but does not export it). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Past this many keys a new key evicts the one whose window started longest ago: one IPv6 /48 holds 65,536
 * /64 "clients", and refusing new keys would refuse everyone. An evicted client only starts a fresh window.
 */
export const MAX_THROTTLER_KEYS = 100_000;

interface Window {
  /** Hits counted in the current window. */
  hits: number;
  /** When the current window ends (epoch ms); the next hit after it starts a new one. */
  endsAt: number;
  /** While over the limit: until when every request is refused (0 when not blocked). */
  blockedUntil: number;
}

/**
 * The request rate limit's counters: one fixed window per key, so a request costs O(1) time and a key O(1)
 * memory whatever RATE_LIMIT_MAX is (the library's default storage keeps one timestamp per hit and filters
 * them all on every request). RedisThrottlerStorage keeps the same window in Redis, in one Lua
 * script. Fixed windows let a client spend up to twice the limit across a window boundary; the
 * request limit is a generous flood guard, and the login throttle (AttemptStore) keeps exact sliding windows.
 */
export class InMemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  /** In window-start order (a new window re-inserts its key), so the first key is the oldest window. */
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = MAX_THROTTLER_KEYS,
  ) {}

  /**
   * Counts one hit. Over `limit` within the window, the key is blocked for `blockDuration` (ms; the guard
   * passes the window length by default) and blocked requests are not counted.
   */
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    this.sweeper ??= setInterval(() => this.sweep(), 60_000).unref();
    const now = this.clock.now().getTime();
    const id = `${throttlerName}\u0000${key}`;
    let window = this.windows.get(id);
    if (window && window.blockedUntil > now) return Promise.resolve(this.record(window, now));
    if (!window || window.endsAt <= now || window.blockedUntil !== 0) {
      this.windows.delete(id);
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    }
    window.hits += 1;
    if (window.hits > limit) window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.endsAt;
    return Promise.resolve(this.record(window, now));
  }

  /** Drops windows that have ended and are not blocking; runs once a minute, never on the request path. */
  sweep(): void {
    const now = this.clock.now().getTime();
    for (const [id, window] of this.windows) {
      if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }

  get size(): number {
    return this.windows.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private record(window: Window, now: number): ThrottlerStorageRecord {
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.max(0, Math.ceil((window.endsAt - now) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }
}
