import type { ThrottlerStorage } from '@nestjs/throttler';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
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
 * its peer range stops at Nest 11, it opens or wraps its own client (we share one connection, prefix and
 * timeouts) and an unreachable Redis would surface as a 500 instead of the 503 every other shared check
 * answers with.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: RedisConnection) {}

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
    } catch {
      throw new SharedStateUnavailableException('The request rate limit');
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
