import { randomBytes } from 'node:crypto';
import { FakeClock } from '../../test/helpers/fake-clock';
import type { AnomalyService } from '../anomaly/anomaly.service';
import type { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { loadSlice } from '../config/compose';
import { secretsConfig } from '../config/secret-settings';
import type { KnownDevicesService } from '../known-devices/known-devices.service';
import { InMemoryAttemptStore } from '../throttle/in-memory-attempt.store';
import { throttleConfig } from '../throttle/throttle.config';
import { LoginLockService } from './login-lock.service';
import {
  IP_RANGE_MIN_SUBNETS,
  KNOWN_DEVICE_ACCOUNT_FACTOR,
  LoginThrottleService,
  stuffingSource,
} from './login-throttle.service';

const environment = {
  NODE_ENV: 'test',
  FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  CSRF_SECRET: randomBytes(32).toString('base64url'),
};
const env = { throttle: loadSlice(throttleConfig, environment), secrets: loadSlice(secretsConfig, environment) };

const client = (ip: string): ClientInfo => ({ ip, userAgent: 'test-agent' });

/**
 * The production store with a 500-counter cap instead of 100,000: filling the counters, and what survives
 * that, depend on the cap being full, not on its size, and 500 logins take a fraction of the time.
 */
const SMALL_CAP = 500;
class SmallAttemptStore extends InMemoryAttemptStore {
  protected override readonly maxCounterKeys = SMALL_CAP;
}

describe('LoginThrottleService', () => {
  let store: SmallAttemptStore;
  let throttle: LoginThrottleService;
  let anomalies: { credentialStuffing: jest.Mock };
  let knownDevices: { isKnown: jest.Mock };

  beforeEach(() => {
    const clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
    store = new SmallAttemptStore(clock);
    anomalies = { credentialStuffing: jest.fn() };
    knownDevices = { isKnown: jest.fn().mockResolvedValue(false) };
    const audit = { record: jest.fn() } as unknown as AuditService;
    throttle = new LoginThrottleService(
      env.throttle,
      env.secrets,
      store,
      anomalies as unknown as AnomalyService,
      knownDevices as unknown as KnownDevicesService,
      new LoginLockService(env.throttle, store, audit, clock),
      clock,
    );
  });

  async function failOnce(email: string, ip: string): Promise<void> {
    await throttle.failed(await throttle.begin('login', email, client(ip)));
  }

  it('a flood of failed logins from many addresses fills the counters without locking out an innocent client; an existing lock survives', async () => {
    for (let i = 0; i < 10; i++) await failOnce('victim@example.test', '198.51.100.1');
    await expect(throttle.begin('login', 'victim@example.test', client('198.51.100.1'))).rejects.toThrow(
      RetryLaterException,
    );

    // One failed login from each of enough addresses to fill the counters (an IPv6 /48 is now one stuffing
    // source and is blocked after LOGIN_MAX_FAILURES_PER_IP, so the flood uses distinct IPv4 addresses).
    for (let i = 0; i < SMALL_CAP; i++) {
      const ip = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      await failOnce(`flood-${i}@example.test`, ip);
    }
    expect(store.size().counters).toBe(SMALL_CAP);

    const innocent = await throttle.begin('login', 'someone@example.test', client('203.0.113.9'));
    await throttle.succeeded(innocent);
    await expect(throttle.begin('login', 'victim@example.test', client('198.51.100.1'))).rejects.toThrow(
      RetryLaterException,
    );
  });

  it('counts credential stuffing per IPv6 /48: many /64s of one /48 are one source', async () => {
    for (let i = 0; i < env.throttle.login.maxFailuresPerIp; i++) {
      await failOnce(`stuffed-${i}@example.test`, `2001:db8:7:${i.toString(16)}::1`);
    }
    expect(anomalies.credentialStuffing).toHaveBeenCalledTimes(1);
    // Another /64 of the same /48 is blocked; another /48 is not.
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:7:ffff::1'))).rejects.toThrow(
      RetryLaterException,
    );
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:8::1'))).resolves.toBeDefined();
  });

  it('bounds guesses from a spoofed known device: 5x the account-wide limit, then locked for every client', async () => {
    knownDevices.isKnown.mockResolvedValue(true);
    const email = 'owner@example.test';
    const limit = KNOWN_DEVICE_ACCOUNT_FACTOR * env.throttle.login.maxFailuresPerAccount;
    const perAddress = env.throttle.login.maxFailuresPerAccountIp - 1;
    let failures = 0;
    for (let address = 1; failures < limit; address++) {
      for (let i = 0; i < perAddress && failures < limit; i++, failures++) {
        const from = `198.51.${address >> 8}.${address & 255}`;
        await throttle.failed(await throttle.begin('login', email, client(from), 'user-1'));
      }
    }
    await expect(throttle.begin('login', email, client('203.0.113.200'), 'user-1')).rejects.toThrow(
      RetryLaterException,
    );
  });

  it("spares the owner's known device below the higher limit while unknown devices are locked", async () => {
    const email = 'owner@example.test';
    const known = (ip: string) => Promise.resolve(ip === '192.0.2.1');
    knownDevices.isKnown.mockImplementation((_userId: string, c: ClientInfo) => known(c.ip));
    const login = env.throttle.login;
    for (let failures = 0; failures < login.maxFailuresPerAccount; failures++) {
      const from = `198.51.100.${1 + Math.floor(failures / (login.maxFailuresPerAccountIp - 1))}`;
      await throttle.failed(await throttle.begin('login', email, client(from), 'user-1'));
    }
    await expect(throttle.begin('login', email, client('203.0.113.200'), 'user-1')).rejects.toThrow(
      RetryLaterException,
    );
    const owner = await throttle.begin('login', email, client('192.0.2.1'), 'user-1');
    await throttle.succeeded(owner);
  });

  it('one IPv6 /64 locks only itself, not the other /64s of its /48', async () => {
    const login = env.throttle.login;
    for (let i = 0; i < login.maxFailuresPerIp; i++) {
      await failOnce(`stuffed-${i % login.ipBlockMinAccounts}@example.test`, `2001:db8:9:1::${(i + 1).toString(16)}`);
    }
    expect(anomalies.credentialStuffing).toHaveBeenCalledTimes(1);
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:9:1::ffff'))).rejects.toThrow(
      RetryLaterException,
    );
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:9:2::1'))).resolves.toBeDefined();
  });

  it(`locks the /48 only once its failures come from at least ${IP_RANGE_MIN_SUBNETS} distinct /64s`, async () => {
    const login = env.throttle.login;
    const from = (subnets: number, i: number) => `2001:db8:a:${(i % subnets).toString(16)}::1`;
    // Three /64s, each below its own limit, together past the address limit: the /48 is not locked.
    const perSubnet = Math.ceil(login.maxFailuresPerIp / (IP_RANGE_MIN_SUBNETS - 1)) + 1;
    for (let i = 0; i < perSubnet * (IP_RANGE_MIN_SUBNETS - 1); i++) {
      await failOnce(`range-${i % login.ipBlockMinAccounts}@example.test`, from(IP_RANGE_MIN_SUBNETS - 1, i));
    }
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:a:ff::1'))).resolves.toBeDefined();
    // A fourth /64 joins: the /48 is locked.
    await failOnce('range-0@example.test', '2001:db8:a:3::1');
    await expect(throttle.begin('login', 'other@example.test', client('2001:db8:a:ff::1'))).rejects.toThrow(
      RetryLaterException,
    );
  });

  it('keys the stuffing source by IPv4 address or IPv6 /48', () => {
    expect(stuffingSource('203.0.113.7')).toBe('203.0.113.7');
    expect(stuffingSource('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48');
  });
});
