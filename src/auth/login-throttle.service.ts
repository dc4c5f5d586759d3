import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AnomalyService } from '../anomaly/anomaly.service';
import { ipPrefix } from '../common/ip-prefix';
import { clientKey, type ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { secretsConfig } from '../config/secret-settings';
import { throttleConfig } from '../throttle/throttle.config';
import { KnownDevicesService } from '../known-devices/known-devices.service';
import { AttemptStore } from '../throttle/attempt-store';
import { CountedScope, LockKeys, LoginLockService, PasswordCheck } from './login-lock.service';
import { PasswordHashingBusyException } from './password.service';

/** One password check, counted before the password is verified; hand it back to failed() or succeeded(). */
export interface LoginAttempt {
  readonly check: PasswordCheck;
  readonly client: ClientInfo;
  readonly userId?: string;
  readonly accountKey: string;
  readonly keys: LockKeys;
  /** This attempt's place in each sliding window, itself included. */
  readonly counts: Readonly<Record<CountedScope, number>>;
  /** Whether the client is a device the owner logged in from before (decided at most once, lazily). */
  readonly knownDevice: () => Promise<boolean>;
}

/** Progressive delay: from the 4th consecutive failure on one account from one address, 250 ms doubling to 2 s. */
export const DELAY_AFTER_FAILURES = 3;
export const DELAY_BASE_MS = 250;
export const DELAY_MAX_MS = 2000;

/**
 * A known device (User-Agent family + /24 or /48, both guessable) is spared the account-wide lock up to this
 * many times LOGIN_MAX_FAILURES_PER_ACCOUNT failures; past that the account is locked for every client. The
 * owner still gets in during a distributed attack of moderate size, and a spoofed known device's guesses stay
 * bounded.
 */
export const KNOWN_DEVICE_ACCOUNT_FACTOR = 5;
/**
 * An IPv6 /48 is locked as a credential-stuffing source only when its failures come from at least this many
 * distinct /64s; one /64 is locked on its own (the ip scope) and cannot lock out the rest of a shared /48
 * (mobile carriers, universities).
 */
export const IP_RANGE_MIN_SUBNETS = 4;

/**
 * The wider credential-stuffing source: an IPv4 address, or an IPv6 /48. The ip scope counts a /64 as one
 * client (clientKey), but one holder of a /48 has 65,536 of those; counted per /64 only it could guess 49
 * times from each without ever reaching LOGIN_MAX_FAILURES_PER_IP.
 */
export function stuffingSource(ip: string): string {
  return isIPv6(ip) ? ipPrefix(ip, 32, 48) : ip;
}

/** The delay before checking a password after `failures` failures on this account from this address. */
export function progressiveDelayMs(failures: number): number {
  if (failures < DELAY_AFTER_FAILURES) return 0;
  return Math.min(DELAY_BASE_MS * 2 ** Math.min(failures - DELAY_AFTER_FAILURES, 16), DELAY_MAX_MS);
}

/**
 * Failed-password counting and lockouts (OWASP Authentication Cheat Sheet, "Account lockout"). Keys use the
 * submitted email, not the user, so an unknown email is locked out exactly like a real one and a lockout
 * reveals nothing. Each attempt is counted before the password is verified: concurrent guesses cannot slip
 * past the limit while earlier ones are still hashing, and the right password during a lockout does not
 * log in. The locks themselves (length, storage, their audit) are LoginLockService's.
 */
@Injectable()
export class LoginThrottleService {
  private readonly emailKeySecret: Buffer;

  constructor(
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    private readonly store: AttemptStore,
    private readonly anomalies: AnomalyService,
    private readonly knownDevices: KnownDevicesService,
    private readonly locks: LoginLockService,
    private readonly clock: Clock,
  ) {
    // A plain SHA-256 of an email is reversible with a list of known addresses, so a memory dump or a shared
    // Redis would leak who is being attacked. A keyed hash is not; HKDF with its own label (RFC 5869 §3.2)
    // keeps this key independent of the fingerprint key it is derived from.
    this.emailKeySecret = Buffer.from(
      hkdfSync('sha256', secrets.FINGERPRINT_SECRET, Buffer.alloc(0), 'warden/login-throttle/email-key', 32),
    );
  }

  /**
   * Counts one password check for `email` from `client` and waits out the progressive delay. Throws a 429
   * with Retry-After while a lock covers the email or address, when the attempt is past a limit (concurrent
   * guesses).
   */
  async begin(check: PasswordCheck, email: string, client: ClientInfo, userId?: string): Promise<LoginAttempt> {
    const accountKey = this.emailKey(email);
    const address = clientKey(client.ip);
    // Second factors count apart: the right password (which clears the login counters) must not reset
    // the count of wrong codes, or password + five guesses could repeat forever.
    const space = check === 'second_factor' ? 'second-factor' : 'login';
    const keys: LoginAttempt['keys'] = {
      account_ip: `${space}:account-ip:${accountKey}:${address}`,
      account: `${space}:account:${accountKey}`,
      account_known: `${space}:account-known:${accountKey}`,
      ip: `${space}:ip:${address}`,
      ...(isIPv6(client.ip) && { ip_range: `${space}:ip-range:${stuffingSource(client.ip)}` }),
    };
    let known: Promise<boolean> | undefined;
    const knownDevice = () => (known ??= userId ? this.knownDevices.isKnown(userId, client) : Promise.resolve(false));
    await this.locks.assertNotLocked(check, keys, client, knownDevice);

    const login = this.config.login;
    const windowMs = login.windowSeconds * 1000;
    const counts: Record<CountedScope, number> = {
      account_ip: await this.store.hit(`failures:${keys.account_ip}`, windowMs),
      account: await this.store.hit(`failures:${keys.account}`, windowMs),
      account_known: await this.store.hit(`failures:${keys.account_known}`, windowMs),
      ip: await this.store.hit(`failures:${keys.ip}`, windowMs),
    };
    // A lock set after the first check also reset its counter, so a guess counted after that reset looks
    // like a first one: look again. (With a shared store, another instance may set that lock at any moment.)
    await this.locks.assertNotLocked(check, keys, client, knownDevice);
    // Guesses racing the one that reaches a limit: refused without a password check.
    if (counts.account_ip > login.maxFailuresPerAccountIp) {
      this.locks.refuse(check, client, userId, 'account_ip', login.lockoutBaseSeconds);
    }
    if (counts.account_known > this.knownDeviceAccountLimit()) {
      this.locks.refuse(check, client, userId, 'account_known', login.lockoutBaseSeconds);
    }
    if (counts.account > login.maxFailuresPerAccount && !(await knownDevice())) {
      this.locks.refuse(check, client, userId, 'account', login.lockoutBaseSeconds);
    }
    const delayMs = progressiveDelayMs(counts.account_ip - 1);
    if (delayMs > 0) await this.clock.sleep(delayMs);
    return { check, client, userId, accountKey, keys, counts, knownDevice };
  }

  /** The password was wrong: locks whatever scope reached its limit. True when account+IP is now locked. */
  async failed(attempt: LoginAttempt): Promise<{ lockedOut: boolean }> {
    const login = this.config.login;
    const { keys, counts, client, userId } = attempt;
    let lockedOut = false;
    if (counts.account_ip >= login.maxFailuresPerAccountIp) {
      await this.locks.lock('account_ip', keys.account_ip, client, userId, { failures: counts.account_ip });
      lockedOut = true;
    }
    if (counts.account >= login.maxFailuresPerAccount && !(await attempt.knownDevice())) {
      await this.locks.lock('account', keys.account, client, userId, { failures: counts.account });
    }
    if (counts.account_known >= this.knownDeviceAccountLimit()) {
      await this.locks.lock('account_known', keys.account_known, client, userId, { failures: counts.account_known });
    }
    const windowMs = login.windowSeconds * 1000;
    const accounts = await this.store.addToSet(`accounts:${keys.ip}`, attempt.accountKey, windowMs);
    if (counts.ip >= login.maxFailuresPerIp && accounts >= login.ipBlockMinAccounts) {
      await this.locks.lock('ip', keys.ip, client, undefined, { failures: counts.ip, accounts });
      this.anomalies.credentialStuffing(client, { failures: counts.ip, accounts, blockSeconds: login.ipBlockSeconds });
    }
    if (keys.ip_range) {
      // Counted after the password (failures only), with the accounts and the distinct /64s behind them.
      const failures = await this.store.hit(`failures:${keys.ip_range}`, windowMs);
      const rangeAccounts = await this.store.addToSet(`accounts:${keys.ip_range}`, attempt.accountKey, windowMs);
      const subnets = await this.store.addToSet(`subnets:${keys.ip_range}`, clientKey(client.ip), windowMs);
      if (
        failures >= login.maxFailuresPerIp &&
        rangeAccounts >= login.ipBlockMinAccounts &&
        subnets >= IP_RANGE_MIN_SUBNETS
      ) {
        await this.locks.lock('ip_range', keys.ip_range, client, undefined, {
          failures,
          accounts: rangeAccounts,
          subnets,
        });
        this.anomalies.credentialStuffing(client, {
          failures,
          accounts: rangeAccounts,
          blockSeconds: login.ipBlockSeconds,
        });
      }
    }
    return { lockedOut };
  }

  /**
   * The owner got in from here: this account and address start afresh, and the attempt, counted up front,
   * is taken back from the account-wide and address counters (they count failures).
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.store.delete(`failures:${attempt.keys.account_ip}`, `lockouts:${attempt.keys.account_ip}`);
    await this.store.unhit(`failures:${attempt.keys.account}`);
    await this.store.unhit(`failures:${attempt.keys.account_known}`);
    await this.store.unhit(`failures:${attempt.keys.ip}`);
  }

  /** Runs the password check `attempt` counted; one shed for load never ran, so the attempt is given back. */
  async verify(attempt: LoginAttempt, check: () => Promise<boolean>): Promise<boolean> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof PasswordHashingBusyException) await this.abandoned(attempt);
      throw error;
    }
  }

  /**
   * The password was never checked (hashing shed the attempt with a 503): the attempt, counted up front, is
   * taken back, so a client retrying through an overload is not locked out by attempts that never ran.
   */
  private async abandoned(attempt: LoginAttempt): Promise<void> {
    for (const scope of ['account_ip', 'account', 'account_known', 'ip'] as const) {
      await this.store.unhit(`failures:${attempt.keys[scope]}`);
    }
  }

  private knownDeviceAccountLimit(): number {
    return KNOWN_DEVICE_ACCOUNT_FACTOR * this.config.login.maxFailuresPerAccount;
  }

  /** Keys hold a keyed hash, not the address typed in: a shared store (Redis) then holds no emails. */
  private emailKey(email: string): string {
    return createHmac('sha256', this.emailKeySecret)
      .update(email.trim().toLowerCase())
      .digest('base64url')
      .slice(0, 22);
  }
}
