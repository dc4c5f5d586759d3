import { Clock } from '../common/clock/clock';
import { INTEGER_SETTINGS } from '../config/environment';
import { AttemptStoreFullError } from './attempt-store';
import { InMemoryAttemptStore, MAX_COUNTER_KEYS, MAX_HITS_PER_KEY } from './in-memory-attempt.store';

class ManualClock extends Clock {
  at = Date.parse('2030-01-01T00:00:00Z');
  override now(): Date {
    return new Date(this.at);
  }
}

describe('InMemoryAttemptStore', () => {
  let clock: ManualClock;
  let store: InMemoryAttemptStore;

  beforeEach(() => {
    clock = new ManualClock();
    store = new InMemoryAttemptStore(clock);
  });

  it('counts hits in a sliding window on its own clock', async () => {
    expect(await store.hit('k', 1000)).toBe(1);
    clock.at += 600;
    expect(await store.hit('k', 1000)).toBe(2);
    clock.at += 600;
    expect(await store.hit('k', 1000)).toBe(2);
    await store.unhit('k');
    clock.at += 500;
    expect(await store.hit('k', 1000)).toBe(1);
  });

  it('fails closed for new keys when full, and never evicts a live lock to make room', async () => {
    await store.set('lock:victim', 'locked', 60_000);
    await store.hit('failures:victim', 60_000);
    for (let i = 1; i < MAX_COUNTER_KEYS; i++) await store.hit(`attacker:${i}`, 1000);
    await expect(store.hit('attacker:new', 1000)).rejects.toThrow(AttemptStoreFullError);
    await expect(store.addToSet('attacker:set', 'x', 1000)).rejects.toThrow(AttemptStoreFullError);
    // Existing keys still count; the lock is untouched.
    expect(await store.hit('failures:victim', 60_000)).toBe(2);
    expect(await store.get('lock:victim')).toBe('locked');
    // The periodic sweep frees expired keys.
    clock.at += 1001;
    store.sweep();
    expect(await store.hit('attacker:new', 1000)).toBe(1);
    expect(await store.get('lock:victim')).toBe('locked');
  });

  it('sets a flag once until it expires', async () => {
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(true);
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(false);
    clock.at += 1000;
    expect(await store.setIfAbsent('flag', '1', 1000)).toBe(true);
  });

  it('keeps enough hits per key for the largest login threshold the config accepts', () => {
    for (const name of [
      'LOGIN_MAX_FAILURES_PER_ACCOUNT_IP',
      'LOGIN_MAX_FAILURES_PER_ACCOUNT',
      'LOGIN_MAX_FAILURES_PER_IP',
    ]) {
      expect(INTEGER_SETTINGS[name as keyof typeof INTEGER_SETTINGS][2]).toBeLessThanOrEqual(MAX_HITS_PER_KEY);
    }
  });
});
