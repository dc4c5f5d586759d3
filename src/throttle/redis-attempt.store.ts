import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock/clock';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import { RedisConnection } from '../redis/redis-connection';
import { AttemptStore } from './attempt-store';
import { MAX_HITS_PER_KEY } from './in-memory-attempt.store';

/**
 * Adds a member to a sorted set scored by time, drops what left the window, caps the set, keeps the key
 * alive for the window and returns the count: one script, so concurrent callers on every instance each
 * get a distinct count. KEYS[1] the set; ARGV now, window, member, cap.
 */
const WINDOW_ADD = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3])
local count = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[4])
if count > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - cap - 1)
  count = cap
end
if redis.call('PTTL', KEYS[1]) < window then redis.call('PEXPIRE', KEYS[1], window) end
return count
`;

/**
 * Sets KEYS[1] unless it holds a value that is still live on the application's clock. ARGV now, the
 * encoded value, its TTL (ms). Returns 1 when this caller set it.
 */
const SET_IF_ABSENT = `
local current = redis.call('GET', KEYS[1])
if current then
  local expires = tonumber(string.match(current, '^(%d+):'))
  if expires and expires > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * The attempt counters in Redis, shared by every instance. Times come from the application's clock (the
 * one every rule reads, and the one tests move); instances a second or two apart only shift a window's
 * edge by that much. Values carry their expiry on that clock (`<until ms>:<value>`); Redis's own TTL only
 * cleans up. Redis's own eviction policy decides what goes when it is full: run it with
 * `noeviction` or a `volatile-*` policy so a lock is never silently dropped. Any Redis failure is a 503:
 * a login whose failure cannot be counted is not attempted.
 */
export class RedisAttemptStore extends AttemptStore {
  private readonly logger = new Logger(RedisAttemptStore.name);

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {
    super();
  }

  hit(key: string, windowMs: number): Promise<number> {
    return this.windowAdd(key, randomUUID(), windowMs);
  }

  async unhit(key: string): Promise<void> {
    await this.call(() => this.redis.client.zpopmax(key));
  }

  addToSet(key: string, member: string, windowMs: number): Promise<number> {
    return this.windowAdd(key, member, windowMs);
  }

  async get(key: string): Promise<string | undefined> {
    const stored = await this.call(() => this.redis.client.get(key));
    const match = stored === null ? null : /^(\d+):([\s\S]*)$/.exec(stored);
    return match && Number(match[1]) > this.now() ? match[2] : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    await this.call(() => this.redis.client.set(key, `${this.now() + ttl}:${value}`, 'PX', ttl));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const now = this.now();
    const set = await this.call(() =>
      this.redis.runScript('wardenSetIfAbsent', SET_IF_ABSENT, [key], [now, `${now + ttl}:${value}`, ttl]),
    );
    return Number(set) === 1;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.call(() => this.redis.client.del(...keys));
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private async windowAdd(key: string, member: string, windowMs: number): Promise<number> {
    const now = this.now();
    const count = await this.call(() =>
      this.redis.runScript('wardenWindowAdd', WINDOW_ADD, [key], [now, Math.ceil(windowMs), member, MAX_HITS_PER_KEY]),
    );
    return Number(count);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // A lost connection is already logged once by RedisConnection; anything else is a fault to see.
      if (this.redis.client.status === 'ready') this.logger.error(`Attempt store: ${(error as Error).message}`);
      throw new SharedStateUnavailableException('Login protection');
    }
  }
}
