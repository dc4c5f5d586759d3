import { InMemoryDpopReplayCache } from './dpop-replay-cache';

describe('InMemoryDpopReplayCache', () => {
  let now = 1_000_000;
  const cache = new InMemoryDpopReplayCache(() => now);

  it('accepts a key once within its lifetime, and again only after it expired', async () => {
    expect(await cache.firstUse('proof-1', 60)).toBe(true);
    expect(await cache.firstUse('proof-1', 60)).toBe(false);
    expect(await cache.firstUse('proof-2', 60)).toBe(true);
    now += 60_000;
    expect(await cache.firstUse('proof-1', 60)).toBe(true);
  });

  it('forgets expired keys, so memory follows the traffic of the last window', async () => {
    now += 120_000;
    await cache.firstUse('proof-3', 60);
    expect(cache.size).toBe(1);
  });
});
