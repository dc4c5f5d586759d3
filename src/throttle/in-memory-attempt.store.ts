import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AttemptStore, AttemptStoreFullError } from './attempt-store';

/**
 * Past this many counter keys a new key is refused (AttemptStoreFullError: callers fail closed) rather
 * than evicting a live one: an attacker cycling addresses must neither exhaust memory nor wipe the counts
 * of the account they are attacking. The periodic sweep frees expired keys.
 */
export const MAX_COUNTER_KEYS = 100_000;
/**
 * One key's sliding window keeps at most this many hits, so one key's memory is bounded; a count never
 * exceeds it. It must be at least the largest LOGIN_MAX_FAILURES_* setting (environment.ts caps them at
 * this value), or a threshold above it could never be reached.
 */
export const MAX_HITS_PER_KEY = 10_000;

interface Counter {
  hits?: number[];
  members?: Map<string, number>;
  expiresAt: number;
}

interface Value {
  value: string;
  expiresAt: number;
}

/** The default store: one process, forgotten on restart. Fine for a single instance. */
@Injectable()
export class InMemoryAttemptStore extends AttemptStore {
  private readonly counters = new Map<string, Counter>();
  /**
   * Locks, lockout levels and one-shot flags. Never evicted before they expire: dropping a lock would
   * unlock an attacker. Bounded by the counters: each value is written only after a counter crossed a
   * threshold (or once per session for the anomaly flags).
   */
  private readonly values = new Map<string, Value>();

  constructor(private readonly clock: Clock) {
    super();
  }

  hit(key: string, windowMs: number): Promise<number> {
    const now = this.now();
    const counter = this.counter(key, now);
    if (!counter) return Promise.reject(new AttemptStoreFullError());
    const hits = counter.hits ?? (counter.hits = []);
    // Hits are in time order: only the oldest can have left the window.
    let expired = 0;
    while (expired < hits.length && hits[expired] <= now - windowMs) expired++;
    if (expired > 0) hits.splice(0, expired);
    hits.push(now);
    if (hits.length > MAX_HITS_PER_KEY) hits.splice(0, hits.length - MAX_HITS_PER_KEY);
    counter.expiresAt = Math.max(counter.expiresAt, now + windowMs);
    return Promise.resolve(hits.length);
  }

  unhit(key: string): Promise<void> {
    this.counters.get(key)?.hits?.pop();
    return Promise.resolve();
  }

  addToSet(key: string, member: string, windowMs: number): Promise<number> {
    const now = this.now();
    const counter = this.counter(key, now);
    if (!counter) return Promise.reject(new AttemptStoreFullError());
    const members = counter.members ?? (counter.members = new Map<string, number>());
    for (const [name, seen] of members) if (seen <= now - windowMs) members.delete(name);
    members.delete(member); // re-inserted last: the Map stays in last-seen order
    members.set(member, now);
    if (members.size > MAX_HITS_PER_KEY) members.delete(members.keys().next().value as string);
    counter.expiresAt = Math.max(counter.expiresAt, now + windowMs);
    return Promise.resolve(members.size);
  }

  get(key: string): Promise<string | undefined> {
    const entry = this.values.get(key);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry.value : undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const entry = this.values.get(key);
    if (entry && entry.expiresAt > now) return Promise.resolve(false);
    this.values.set(key, { value, expiresAt: now + ttlMs });
    return Promise.resolve(true);
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.counters.delete(key);
      this.values.delete(key);
    }
    return Promise.resolve();
  }

  /** Drops what has expired, once a minute; never on the request path. */
  @Interval('attempt-store-sweep', 60_000)
  sweep(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** The live counter under `key`, created if there is room; undefined when the store is full. */
  private counter(key: string, now: number): Counter | undefined {
    let counter = this.counters.get(key);
    if (counter && counter.expiresAt <= now) {
      this.counters.delete(key);
      counter = undefined;
    }
    if (!counter) {
      if (this.counters.size >= MAX_COUNTER_KEYS) return undefined;
      counter = { expiresAt: now };
      this.counters.set(key, counter);
    }
    return counter;
  }
}
