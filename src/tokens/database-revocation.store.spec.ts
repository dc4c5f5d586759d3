import { DataSource, Repository } from 'typeorm';
import { FakeClock } from '../../test/helpers/fake-clock';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import { DatabaseRevocationStore } from './database-revocation.store';
import { Revocation } from './entities/revocation.entity';

const settings = { syncIntervalSeconds: 2, maxStalenessSeconds: 10 };
const token = (sid: string) => ({ jti: `jti-${sid}`, sid, sub: 'user-1', iat: 1 });

describe('DatabaseRevocationStore', () => {
  let database: DataSource;
  let rows: Repository<Revocation>;

  beforeEach(async () => {
    database = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Revocation],
      synchronize: true,
    });
    await database.initialize();
    rows = database.getRepository(Revocation);
  });
  afterEach(() => database.destroy());

  /** Two instances on one database; the store's own poll timer is not started (sync is driven by check). */
  function instance(clock: FakeClock): DatabaseRevocationStore {
    return new DatabaseRevocationStore(rows, clock, settings);
  }

  it("picks up another instance's revocation whatever that instance's clock says", async () => {
    const clock = new FakeClock(new Date('2030-01-01T12:00:00Z'));
    const reader = instance(clock);
    expect(await reader.check(token('s1'))).toBeUndefined();
    // The writer's clock is an hour behind: its row's created_at is long before the reader's last read.
    const writer = instance(new FakeClock(new Date('2030-01-01T11:00:00Z')));
    await writer.revokeSession('s1', new Date('2030-01-01T12:15:00Z'));
    clock.advance(settings.maxStalenessSeconds * 1000 + 1);
    expect(await reader.check(token('s1'))).toBe('session_revoked');
  });

  it('purges a row only a day after its expiry, so an instance whose clock runs ahead deletes nothing still needed', async () => {
    const writer = instance(new FakeClock(new Date('2030-01-01T12:00:00Z')));
    await writer.revokeSession('s1', new Date('2030-01-01T12:15:00Z'));
    // Six hours ahead: the row looks long expired to this instance, but it must stay for the others.
    const ahead = new FakeClock(new Date('2030-01-01T18:00:00Z'));
    expect(await instance(ahead).check(token('s1'))).toBeUndefined();
    expect(await rows.count()).toBe(1);
    ahead.advance(24 * 60 * 60 * 1000);
    await instance(ahead).check(token('s2'));
    expect(await rows.count()).toBe(0);
  });

  it('answers 503 once it could not read the list for REVOCATION_MAX_STALENESS, and recovers by itself', async () => {
    const clock = new FakeClock(new Date('2030-01-01T12:00:00Z'));
    const store = instance(clock);
    await store.revokeSession('s1', new Date('2030-01-01T12:15:00Z'));
    expect(await store.check(token('s2'))).toBeUndefined();
    const outage = jest.spyOn(rows, 'find').mockRejectedValue(new Error('connection refused'));
    // Within the bound the last good list still answers (a poll may fail now and then).
    clock.advance(settings.maxStalenessSeconds * 1000);
    expect(await store.check(token('s2'))).toBeUndefined();
    clock.advance(1);
    await expect(store.check(token('s2'))).rejects.toBeInstanceOf(SharedStateUnavailableException);
    await expect(store.check(token('s1'))).rejects.toBeInstanceOf(SharedStateUnavailableException);
    outage.mockRestore();
    expect(await store.check(token('s2'))).toBeUndefined();
    expect(await store.check(token('s1'))).toBe('session_revoked');
  });
});
