import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisConnection } from '../redis/redis-connection';

/**
 * A fixed-window counter with the library's blocking: past `limit` hits the client is blocked for
 * `blockDuration`, and starts a fresh window afterwards. O(1) per request and atomic across instances.
 * KEYS[1] the counter, KEYS[2] the block; ARGV ttl, limit, blockDuration (ms).
 * Returns hits, counter ms left, blocked (0/1), block ms left.
 */
const FIXED_WINDOW = `
local limit = tonumber(ARGV[2])
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return {limit + 1, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockedFor}
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > limit then
  local block = tonumber(ARGV[3])
  if block <= 0 then return {hits, left, 1, left} end
  redis.call('SET', KEYS[2], '1', 'PX', block)
  redis.call('DEL', KEYS[1])
  return {hits, left, 1, block}
end
return {hits, left, 0, 0}
`;

/**
 * The request rate limit shared by every instance through Redis. Not @nest-lab/throttler-storage-redis:
 * its peer range stops at Nest 11, it wraps its own client (we share one connection, prefix and timeouts),
 * and it has no answer for an unreachable Redis. Ours counts in this process meanwhile: the limit is a
 * flood guard, not an access check, so public routes (the JWKS above all) keep answering, each instance
 * enforcing RATE_LIMIT_MAX alone; everything that needs Redis to decide refuses with its own 503.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('Throttle');
  private degraded = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly fallback: ThrottlerStorage & Partial<OnApplicationShutdown>,
  ) {}

  onApplicationShutdown(): void {
    void this.fallback.onApplicationShutdown?.();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    const counter = `rate:${throttlerName}:${key}`;
    let reply: unknown;
    try {
      reply = await this.redis.runScript(
        'wardenFixedWindow',
        FIXED_WINDOW,
        [counter, `${counter}:blocked`],
        [Math.max(1, Math.ceil(ttl)), limit, Math.ceil(blockDuration)],
      );
    } catch (error) {
      if (!this.degraded) {
        this.logger.warn(`Redis unreachable (${(error as Error).message}): the request rate limit counts per instance`);
        this.degraded = true;
      }
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    if (this.degraded) {
      this.logger.log('Redis is back: the request rate limit is shared again');
      this.degraded = false;
    }
    const [totalHits, timeToExpireMs, blocked, timeToBlockExpireMs] = (reply as number[]).map(Number);
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpireMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpireMs / 1000),
    };
  }
}
