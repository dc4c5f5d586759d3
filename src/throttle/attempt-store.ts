/**
 * Short-lived counters for brute-force and anomaly rules. Every method is async so a shared store (Redis:
 * sorted sets with ZADD/ZREMRANGEBYSCORE/ZCARD, and SET with PX) can replace the in-process one, and
 * several instances then count together.
 */
export abstract class AttemptStore {
  /** Adds one hit under `key`; returns the hits within the last `windowMs` (a sliding window). */
  abstract hit(key: string, now: Date, windowMs: number): Promise<number>;
  /** Adds `member` to the set under `key`; returns the distinct members seen within the last `windowMs`. */
  abstract addToSet(key: string, member: string, now: Date, windowMs: number): Promise<string[]>;
  abstract get(key: string, now: Date): Promise<string | undefined>;
  abstract set(key: string, value: string, expiresAt: Date): Promise<void>;
  abstract delete(...keys: string[]): Promise<void>;
}
