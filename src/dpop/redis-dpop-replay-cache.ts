import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import type { RedisConnection } from '../redis/redis-connection';
import { DpopReplayCache } from './dpop-replay-cache';

/**
 * The replay cache every instance shares (REDIS_URL): one `SET key NX EX ttl` per proof, atomic in Redis,
 * so of two instances handed the same proof exactly one accepts it. Keys live under REDIS_KEY_PREFIX and
 * expire with the proof's acceptance window. Redis unreachable: a 503, never a proof accepted unchecked.
 */
export class RedisDpopReplayCache extends DpopReplayCache {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    let stored: string | null;
    try {
      stored = await this.redis.client.set(`dpop-jti:${key}`, '1', 'EX', ttlSeconds, 'NX');
    } catch {
      throw new SharedStateUnavailableException('The DPoP replay cache');
    }
    return stored === 'OK';
  }
}
