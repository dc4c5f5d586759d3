import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AttemptStore, type SetOptions } from './attempt-store';

/**
 * Past this many counter keys a new key evicts the least recently hit one. Refusing new keys instead (fail
 * closed) let anyone holding many addresses (an IPv6 /48 is 65,536 /64 "clients") fill the store and lock
 * every login out; evicting costs only counts, and the counts most likely to matter (an attack in progress)
 * are the most recently hit. Locks and lockout levels are not counters and are never evicted.
 */
export const MAX_COUNTER_KEYS = 100_000;
/** Past this many evictable values (network state, one-shot flags) a new one evicts the oldest. */
export const MAX_EVICTABLE_VALUES = 100_000;
/**
 * One key's sliding window keeps at most this many hits, so one key's memory is bounded; a count never
 * exceeds it. It must be at least the largest LOGIN_MAX_FAILURES_* setting (throttle.config.ts caps them at
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
  /** In least-recently-hit order (a hit moves its key to the end), so the first key is the one evicted. */
  private readonly counters = new Map<string, Counter>();
  /**
   * Values set with `keep` (locks, lockout levels): never evicted before they expire, since dropping a lock
   * would unlock an attacker. Not capped: each one is written only after a counter crossed a threshold, so
   * an attacker pays at least LOGIN_MAX_FAILURES_PER_ACCOUNT_IP password checks (each a password hash) per
   * entry.
   */
  private readonly kept = new Map<string, Value>();
  /**
   * Every other value (the anomaly rules' per-session network state and one-shot flags, written on ordinary
   * requests): capped at MAX_EVICTABLE_VALUES, the oldest written evicted first. Losing one costs at most a
   * missed or repeated alert.
   */
  private readonly values = new Map<string, Value>();

  /** MAX_COUNTER_KEYS; a test proves the eviction rules on a smaller store instead of 100,000 logins. */
  protected readonly maxCounterKeys: number = MAX_COUNTER_KEYS;

  constructor(private readonly clock: Clock) {
    super();
  }

  hit(key: string, windowMs: number): Promise<number> {
    const now = this.now();
    const counter = this.counter(key, now);
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
    const members = counter.members ?? (counter.members = new Map<string, number>());
    for (const [name, seen] of members) if (seen <= now - windowMs) members.delete(name);
    members.delete(member); // re-inserted last: the Map stays in last-seen order
    members.set(member, now);
    if (members.size > MAX_HITS_PER_KEY) members.delete(members.keys().next().value as string);
    counter.expiresAt = Math.max(counter.expiresAt, now + windowMs);
    return Promise.resolve(members.size);
  }

  get(key: string): Promise<string | undefined> {
    const entry = this.kept.get(key) ?? this.values.get(key);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry.value : undefined);
  }

  set(key: string, value: string, ttlMs: number, options?: SetOptions): Promise<void> {
    this.write(key, { value, expiresAt: this.now() + ttlMs }, options);
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number, options?: SetOptions): Promise<boolean> {
    const now = this.now();
    const entry = this.kept.get(key) ?? this.values.get(key);
    if (entry && entry.expiresAt > now) return Promise.resolve(false);
    this.write(key, { value, expiresAt: now + ttlMs }, options);
    return Promise.resolve(true);
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.counters.delete(key);
      this.kept.delete(key);
      this.values.delete(key);
    }
    return Promise.resolve();
  }

  /** Drops what has expired, once a minute; never on the request path. */
  @Interval('attempt-store-sweep', 60_000)
  sweep(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    for (const [key, entry] of this.kept) if (entry.expiresAt <= now) this.kept.delete(key);
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
  }

  /** How many keys each part holds (for tests and diagnostics). */
  size(): { counters: number; kept: number; values: number } {
    return { counters: this.counters.size, kept: this.kept.size, values: this.values.size };
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** The live counter under `key`, moved to the most recently hit end; a new one evicts the least recent. */
  private counter(key: string, now: number): Counter {
    let counter = this.counters.get(key);
    if (counter) this.counters.delete(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { expiresAt: now };
      if (this.counters.size >= this.maxCounterKeys) this.counters.delete(this.counters.keys().next().value as string);
    }
    this.counters.set(key, counter);
    return counter;
  }

  /** Re-inserted last, so `values` stays in write order and its first key is the oldest written. */
  private write(key: string, entry: Value, options?: SetOptions): void {
    this.kept.delete(key);
    this.values.delete(key);
    if (options?.keep) {
      this.kept.set(key, entry);
      return;
    }
    if (this.values.size >= MAX_EVICTABLE_VALUES) this.values.delete(this.values.keys().next().value as string);
    this.values.set(key, entry);
  }
}
