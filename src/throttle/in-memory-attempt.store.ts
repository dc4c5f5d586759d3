import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AttemptStore } from './attempt-store';

/** Past this many keys the oldest go first: an attacker cycling addresses must not exhaust memory. */
const MAX_KEYS = 100_000;
/** A single window never needs more entries than the largest threshold; this bounds one key's memory. */
const MAX_HITS_PER_KEY = 10_000;

interface Entry {
  hits?: number[];
  members?: Map<string, number>;
  value?: string;
  expiresAt: number;
}

/** The default store: one process, forgotten on restart. Fine for a single instance. */
@Injectable()
export class InMemoryAttemptStore extends AttemptStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {
    super();
  }

  hit(key: string, now: Date, windowMs: number): Promise<number> {
    const at = now.getTime();
    const entry = this.entry(key, at);
    const hits = (entry.hits ?? []).filter((time) => time > at - windowMs);
    hits.push(at);
    if (hits.length > MAX_HITS_PER_KEY) hits.splice(0, hits.length - MAX_HITS_PER_KEY);
    entry.hits = hits;
    entry.expiresAt = Math.max(entry.expiresAt, at + windowMs);
    return Promise.resolve(hits.length);
  }

  addToSet(key: string, member: string, now: Date, windowMs: number): Promise<string[]> {
    const at = now.getTime();
    const entry = this.entry(key, at);
    const members = entry.members ?? new Map<string, number>();
    for (const [name, seen] of members) if (seen <= at - windowMs) members.delete(name);
    members.set(member, at);
    if (members.size > MAX_HITS_PER_KEY) members.delete(members.keys().next().value as string);
    entry.members = members;
    entry.expiresAt = Math.max(entry.expiresAt, at + windowMs);
    return Promise.resolve([...members.keys()]);
  }

  get(key: string, now: Date): Promise<string | undefined> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry && entry.expiresAt > now.getTime() ? entry.value : undefined);
  }

  set(key: string, value: string, expiresAt: Date): Promise<void> {
    this.entries.delete(key);
    this.makeRoom(this.clock.now().getTime());
    this.entries.set(key, { value, expiresAt: expiresAt.getTime() });
    return Promise.resolve();
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  /** Drops what has expired; runs every minute and whenever the map is full. */
  @Interval('attempt-store-sweep', 60_000)
  sweep(now: number = this.clock.now().getTime()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private entry(key: string, at: number): Entry {
    let entry = this.entries.get(key);
    if (entry && entry.expiresAt <= at) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      this.makeRoom(at);
      entry = { expiresAt: at };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private makeRoom(at: number): void {
    if (this.entries.size < MAX_KEYS) return;
    this.sweep(at);
    // Still full: forget the oldest keys (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size < MAX_KEYS) break;
      this.entries.delete(key);
    }
  }
}
