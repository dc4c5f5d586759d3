import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import { RedisConnection } from '../redis/redis-connection';
import type { AttemptStore } from './attempt-store';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage';
import { RedisAttemptStore } from './redis-attempt.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { FakeClock } from '../../test/helpers/fake-clock';
import { freshRedisPrefix, PrivateRedis } from '../../test/helpers/redis';

/** The Redis stores against a real Redis: the shared one under a key prefix of their own. */
describe('Redis stores', () => {
  const prefix = freshRedisPrefix();
  let redis: RedisConnection;
  let clock: FakeClock;
  // Typed as the interface the services use (set() takes options the Redis store leaves to Redis's policy).
  let store: AttemptStore;

  beforeAll(async () => {
    redis = new RedisConnection({ url: prefix.url, keyPrefix: prefix.prefix });
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
    await prefix.drop();
  });
  beforeEach(() => {
    clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
    store = new RedisAttemptStore(redis, clock);
  });

  describe('RedisAttemptStore', () => {
    it('gives 50 concurrent hits 50 distinct counts (one script each, atomic)', async () => {
      const counts = await Promise.all(Array.from({ length: 50 }, () => store.hit('concurrent', 60_000)));
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('counts hits in a sliding window on the application clock, and takes the newest back', async () => {
      expect(await store.hit('k', 1000)).toBe(1);
      clock.advance(600);
      expect(await store.hit('k', 1000)).toBe(2);
      clock.advance(600);
      expect(await store.hit('k', 1000)).toBe(2);
      await store.unhit('k');
      clock.advance(500);
      expect(await store.hit('k', 1000)).toBe(1);
    });

    it('counts distinct members within the window', async () => {
      expect(await store.addToSet('set', 'a', 1000)).toBe(1);
      expect(await store.addToSet('set', 'a', 1000)).toBe(1);
      expect(await store.addToSet('set', 'b', 1000)).toBe(2);
      clock.advance(1000);
      expect(await store.addToSet('set', 'c', 1000)).toBe(1);
    });

    it('expires values and one-shot flags on the application clock', async () => {
      await store.set('lock', 'locked', 1000, { keep: true });
      expect(await store.get('lock')).toBe('locked');
      expect(await store.setIfAbsent('flag', '1', 1000)).toBe(true);
      expect(await store.setIfAbsent('flag', '1', 1000)).toBe(false);
      clock.advance(1000);
      expect(await store.get('lock')).toBeUndefined();
      expect(await store.setIfAbsent('flag', '2', 1000)).toBe(true);
      await store.delete('flag');
      expect(await store.get('flag')).toBeUndefined();
    });
  });

  describe('RedisThrottlerStorage', () => {
    it('blocks past the limit for the block duration, then starts a fresh window, on the application clock', async () => {
      const storage = new RedisThrottlerStorage(redis, clock, new InMemoryThrottlerStorage(clock));
      const hit = () => storage.increment('client', 60_000, 2, 200, 'default');
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
      expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
      expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
      clock.advance(199);
      expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true });
      clock.advance(1);
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
    });
  });

  describe('with Redis gone', () => {
    it('refuses attempts with a 503 and counts requests in this process meanwhile', async () => {
      const own = await PrivateRedis.start();
      const connection = new RedisConnection({ url: own.url, keyPrefix: 'warden-test:' });
      try {
        await connection.connect();
        const attempts = new RedisAttemptStore(connection, clock);
        const fallback = new InMemoryThrottlerStorage(clock);
        const counted = jest.spyOn(fallback, 'increment');
        const storage = new RedisThrottlerStorage(connection, clock, fallback);
        expect(await attempts.hit('k', 1000)).toBe(1);
        await own.kill();
        await expect(attempts.hit('k', 1000)).rejects.toBeInstanceOf(SharedStateUnavailableException);
        await expect(attempts.get('k')).rejects.toBeInstanceOf(SharedStateUnavailableException);
        expect(await storage.increment('client', 60_000, 5, 0, 'default')).toMatchObject({ totalHits: 1 });
        expect(counted).toHaveBeenCalledTimes(1);
      } finally {
        await connection.close();
        await own.kill();
      }
    });
  });
});
