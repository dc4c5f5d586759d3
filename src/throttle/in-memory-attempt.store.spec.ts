import { FakeClock } from '../../test/helpers/fake-clock';
import {
  InMemoryAttemptStore,
  MAX_COUNTER_KEYS,
  MAX_EVICTABLE_VALUES,
  MAX_HITS_PER_KEY,
} from './in-memory-attempt.store';
import { THROTTLE_SETTINGS } from './throttle.config';

describe('InMemoryAttemptStore', () => {
  let clock: FakeClock;
  let store: InMemoryAttemptStore;

  beforeEach(() => {
    clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
    store = new InMemoryAttemptStore(clock);
  });

  it('counts hits in a sliding window on its own clock', async () => {
    expect(await store.hit('k', 1000)).toBe(1);
    clock.advance(600);
    expect(await store.hit('k', 1000)).toBe(2);
    clock.advance(600);
    expect(await store.hit('k', 1000)).toBe(2);
    await store.unhit('k');
    clock.advance(500);
    expect(await store.hit('k', 1000)).toBe(1);
  });

  it('when full, evicts the least recently hit counter instead of refusing new keys; kept values survive', async () => {
    await store.set('lock:victim', 'locked', 60_000, { keep: true });
    await store.set('lockouts:victim', '2', 60_000, { keep: true });
    await store.hit('failures:old', 60_000);
    await store.hit('failures:recent', 60_000);
    for (let i = 2; i < MAX_COUNTER_KEYS; i++) await store.hit(`attacker:${i}`, 60_000);
    // Hit again: now the most recent, so not the next one out.
    expect(await store.hit('failures:recent', 60_000)).toBe(2);
    expect(await store.hit('attacker:new', 1000)).toBe(1);
    expect(await store.addToSet('attacker:set', 'x', 1000)).toBe(1);
    expect(store.size().counters).toBe(MAX_COUNTER_KEYS);
    // The oldest counter went (first attacker:2 after failures:old), never the kept values.
    expect(await store.hit('failures:old', 60_000)).toBe(1);
    expect(await store.hit('failures:recent', 60_000)).toBe(3);
    expect(await store.get('lock:victim')).toBe('locked');
    expect(await store.get('lockouts:victim')).toBe('2');
  });

  it('caps values not kept, evicting the oldest written; kept values are not counted against the cap', async () => {
    await store.set('lock:victim', 'locked', 60_000, { keep: true });
    await store.set('session-network:first', 'a', 60_000);
    for (let i = 0; i < MAX_EVICTABLE_VALUES; i++) await store.set(`session-network:${i}`, 'b', 60_000);
    expect(store.size().values).toBe(MAX_EVICTABLE_VALUES);
    expect(await store.get('session-network:first')).toBeUndefined();
    expect(await store.get(`session-network:${MAX_EVICTABLE_VALUES - 1}`)).toBe('b');
    expect(await store.get('lock:victim')).toBe('locked');
    // setIfAbsent sees a kept value and evicts like set.
    expect(await store.setIfAbsent('lock:victim', 'again', 60_000, { keep: true })).toBe(false);
    expect(await store.setIfAbsent('flag:new', '1', 60_000)).toBe(true);
    expect(await store.get('session-network:0')).toBeUndefined();
  });

  it('sweeps expired counters and values of both kinds', async () => {
    await store.hit('k', 1000);
    await store.set('kept', '1', 1000, { keep: true });
    await store.set('value', '1', 1000);
    clock.advance(1000);
    store.sweep();
    expect(store.size()).toEqual({ counters: 0, kept: 0, values: 0 });
  });

  it('sets a flag once until it expires', async () => {
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(true);
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(false);
    clock.advance(1000);
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(true);
  });

  it('keeps enough hits per key for the largest login threshold the config accepts', () => {
    for (const setting of [
      THROTTLE_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT_IP,
      THROTTLE_SETTINGS.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      THROTTLE_SETTINGS.LOGIN_MAX_FAILURES_PER_IP,
    ]) {
      expect(setting.max).toBeLessThanOrEqual(MAX_HITS_PER_KEY);
    }
  });
});
