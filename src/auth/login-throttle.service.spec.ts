import { randomBytes } from 'node:crypto';
import type { AnomalyService } from '../anomaly/anomaly.service';
import type { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { loadEnvironment } from '../config/environment';
import { InMemoryAttemptStore, MAX_COUNTER_KEYS } from '../throttle/in-memory-attempt.store';
import { LoginThrottleService, stuffingSource } from './login-throttle.service';

class ManualClock extends Clock {
  at = Date.parse('2030-01-01T00:00:00Z');
  override now(): Date {
    return new Date(this.at);
  }
  override sleep(): Promise<void> {
    return Promise.resolve();
  }
}

const env = loadEnvironment({
  NODE_ENV: 'test',
  FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  CSRF_SECRET: randomBytes(32).toString('base64url'),
});

const client = (ip: string): ClientInfo => ({ ip, userAgent: 'test-agent' });

describe('LoginThrottleService', () => {
  let store: InMemoryAttemptStore;
  let throttle: LoginThrottleService;
  let anomalies: { isKnownDevice: jest.Mock; credentialStuffing: jest.Mock };

  beforeEach(() => {
    const clock = new ManualClock();
    store = new InMemoryAttemptStore(clock);
    anomalies = { isKnownDevice: jest.fn().mockResolvedValue(false), credentialStuffing: jest.fn() };
    const audit = { record: jest.fn() } as unknown as AuditService;
    throttle = new LoginThrottleService(
      env.throttle,
      env.secrets,
      store,
      anomalies as unknown as AnomalyService,
      audit,
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
    for (let i = 0; i < MAX_COUNTER_KEYS; i++) {
      const ip = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      await failOnce(`flood-${i}@example.test`, ip);
    }
    expect(store.size().counters).toBe(MAX_COUNTER_KEYS);

    const innocent = await throttle.begin('login', 'someone@example.test', client('203.0.113.9'));
    await throttle.succeeded(innocent);
    await expect(throttle.begin('login', 'victim@example.test', client('198.51.100.1'))).rejects.toThrow(
      RetryLaterException,
    );
  }, 60_000);

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

  it('keys the stuffing source by IPv4 address or IPv6 /48', () => {
    expect(stuffingSource('203.0.113.7')).toBe('203.0.113.7');
    expect(stuffingSource('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48');
  });
});
