export interface SetOptions {
  /**
   * Never evicted before it expires (locks, lockout levels: dropping one would unlock an attacker). Other
   * values and every counter may be evicted, oldest first, when a bounded store is full: a full store
   * forgets old counts rather than refusing everyone.
   */
  keep?: boolean;
}

/**
 * Short-lived counters for brute-force and anomaly rules. Every method is async and atomic per key, so a
 * shared store (Redis: ZADD/ZREMRANGEBYSCORE/ZCARD in one Lua script, SET NX PX) can replace the in-process
 * one and several instances then count together. Time is the store's own clock, never the caller's.
 */
export abstract class AttemptStore {
  /**
   * Adds one hit under `key` and returns the hits within the last `windowMs` including this one (a sliding
   * window). Atomic: concurrent callers each get a distinct count, so a caller can act on "over the limit"
   * before doing the expensive thing the hit stands for.
   */
  abstract hit(key: string, windowMs: number): Promise<number>;
  /** Takes back the newest hit under `key` (an attempt counted up front that turned out fine). */
  abstract unhit(key: string): Promise<void>;
  /** Adds `member` to the set under `key`; returns how many distinct members were seen within `windowMs`. */
  abstract addToSet(key: string, member: string, windowMs: number): Promise<number>;
  abstract get(key: string): Promise<string | undefined>;
  abstract set(key: string, value: string, ttlMs: number, options?: SetOptions): Promise<void>;
  /** Sets `key` only if it holds nothing live; true when this caller set it (an atomic check-and-set). */
  abstract setIfAbsent(key: string, value: string, ttlMs: number, options?: SetOptions): Promise<boolean>;
  abstract delete(...keys: string[]): Promise<void>;
}
