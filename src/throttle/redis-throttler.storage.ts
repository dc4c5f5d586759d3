import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '../common/clock/clock';
import { RedisConnection } from '../redis/redis-connection';

/**
 * InMemoryThrottlerStorage's fixed window, in one Redis hash per client so every instance counts together:
 * past `limit` hits the client is blocked for `blockDuration` (or the rest of the window), blocked requests
 * are not counted, and a fresh window starts afterwards. Times are the application clock's, passed in, as
 * for the in-process storage; Redis's own TTL only cleans up. O(1) per request, atomic across instances.
 * KEYS[1] the window; ARGV now, ttl, limit, blockDuration (ms). Returns hits, endsAt, blockedUntil.
 */
const FIXED_WINDOW = `
local now = tonumber(ARGV[1])
local window = redis.call('HMGET', KEYS[1], 'hits', 'endsAt', 'blockedUntil')
local hits, endsAt, blockedUntil = tonumber(window[1]), tonumber(window[2]), tonumber(window[3])
if hits and blockedUntil > now then return {hits, endsAt, blockedUntil} end
if not hits or endsAt <= now or blockedUntil ~= 0 then
  hits, endsAt, blockedUntil = 0, now + tonumber(ARGV[2]), 0
end
hits = hits + 1
if hits > tonumber(ARGV[3]) then
  local block = tonumber(ARGV[4])
  if block > 0 then blockedUntil = now + block else blockedUntil = endsAt end
end
redis.call('HSET', KEYS[1], 'hits', hits, 'endsAt', endsAt, 'blockedUntil', blockedUntil)
redis.call('PEXPIRE', KEYS[1], math.max(endsAt, blockedUntil) - now + 1000)
return {hits, endsAt, blockedUntil}
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
    private readonly clock: Clock,
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
    const now = this.clock.now().getTime();
    let reply: unknown;
    try {
      reply = await this.redis.runScript(
        'wardenFixedWindow',
        FIXED_WINDOW,
        [`rate:${throttlerName}:${key}`],
        [now, Math.max(1, Math.ceil(ttl)), limit, Math.ceil(blockDuration)],
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
    const [totalHits, endsAt, blockedUntil] = (reply as number[]).map(Number);
    const isBlocked = blockedUntil > now;
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil((endsAt - now) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((blockedUntil - now) / 1000) : 0,
    };
  }
}
