/**
 * Thrown when the store cannot take a new key (the in-process store is full). Callers fail closed: a login
 * is refused with 429 rather than counted nowhere.
 */
export class AttemptStoreFullError extends Error {
  constructor() {
    super('attempt store is full');
    this.name = 'AttemptStoreFullError';
  }
}

/**
 * Short-lived counters for brute-force and anomaly rules. Every method is async and atomic per key, so a
 * shared store (Redis: ZADD/ZREMRANGEBYSCORE/ZCARD in a MULTI, SET NX PX) can replace the in-process one
 * and several instances then count together. Time is the store's own clock, never the caller's.
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
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets `key` only if it holds nothing live; true when this caller set it (an atomic check-and-set). */
  abstract setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  abstract delete(...keys: string[]): Promise<void>;
}
