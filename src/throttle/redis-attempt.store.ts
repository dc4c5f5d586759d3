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
 * The attempt counters in Redis, shared by every instance. Times come from the application's clock (the
 * one every rule reads, and the one tests move); instances a second or two apart only shift a window's
 * edge by that much. Redis's own eviction policy decides what goes when it is full: run it with
 * `noeviction` or a `volatile-*` policy so a lock is never silently dropped. Any Redis failure is a 503:
 * a login whose failure cannot be counted is not attempted.
 */
export class RedisAttemptStore extends AttemptStore {
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
    return (await this.call(() => this.redis.client.get(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.call(() => this.redis.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const result = await this.call(() => this.redis.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'));
    return result === 'OK';
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.call(() => this.redis.client.del(...keys));
  }

  private async windowAdd(key: string, member: string, windowMs: number): Promise<number> {
    const now = this.clock.now().getTime();
    const count = await this.call(() =>
      this.redis.runScript('wardenWindowAdd', WINDOW_ADD, [key], [now, Math.ceil(windowMs), member, MAX_HITS_PER_KEY]),
    );
    return Number(count);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new SharedStateUnavailableException('Login protection');
    }
  }
}
