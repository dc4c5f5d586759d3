import { FakeClock } from '../../test/helpers/fake-clock';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage';

describe('InMemoryThrottlerStorage', () => {
  let clock: FakeClock;
  let storage: InMemoryThrottlerStorage;
  const WINDOW = 60_000;

  beforeEach(() => {
    clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
    storage = new InMemoryThrottlerStorage(clock, 3);
  });
  afterEach(() => storage.onApplicationShutdown());

  const hit = (key = 'client', limit = 3, block = WINDOW) => storage.increment(key, WINDOW, limit, block, 'default');

  it('allows exactly `limit` hits per window and blocks the next one', async () => {
    for (let i = 1; i <= 3; i++) expect(await hit()).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await hit()).toEqual({ totalHits: 4, isBlocked: true, timeToExpire: 60, timeToBlockExpire: 60 });
  });

  it('starts a fresh window exactly when the old one ends, not a millisecond before', async () => {
    await hit();
    await hit();
    await hit();
    clock.advance(WINDOW - 1);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    clock.advance(WINDOW);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
  });

  it('does not count blocked requests, and unblocks at the end of blockDuration', async () => {
    for (let i = 0; i < 4; i++) await hit('client', 3, 10_000);
    clock.advance(9_999);
    expect(await hit('client', 3, 10_000)).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 1 });
    clock.advance(1);
    expect(await hit('client', 3, 10_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts each key and each throttler name apart', async () => {
    for (let i = 0; i < 3; i++) await hit('a');
    expect(await hit('b')).toMatchObject({ totalHits: 1 });
    expect(await storage.increment('a', WINDOW, 3, WINDOW, 'other')).toMatchObject({ totalHits: 1 });
  });

  it('costs the same and keeps one counter per key at a limit of 1,000,000', async () => {
    for (let i = 0; i < 200_000; i++) await storage.increment('flood', WINDOW, 1_000_000, WINDOW, 'default');
    expect(await storage.increment('flood', WINDOW, 1_000_000, WINDOW, 'default')).toMatchObject({
      totalHits: 200_001,
      isBlocked: false,
    });
    expect(storage.size).toBe(1);
  });

  it('holds at most its key bound, evicting the oldest window; sweeps ended windows', async () => {
    await hit('a');
    await hit('b');
    await hit('c');
    await hit('d');
    expect(storage.size).toBe(3);
    expect(await hit('a')).toMatchObject({ totalHits: 1 });
    clock.advance(WINDOW);
    storage.sweep();
    expect(storage.size).toBe(0);
  });
});
