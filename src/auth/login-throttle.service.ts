import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AnomalyService } from '../anomaly/anomaly.service';
import { ipPrefix } from '../common/ip-prefix';
import { AuditService } from '../audit/audit.service';
import { clientKey, type ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { secretsConfig } from '../config/secret-settings';
import { throttleConfig } from '../throttle/throttle.config';
import { AttemptStore } from '../throttle/attempt-store';

/**
 * account_ip: one account from one address (the ordinary brute force; low limit).
 * account: one account from anywhere (a distributed attack; a far higher limit, so one attacker cannot lock
 *   the owner out everywhere; the owner's known devices are spared it).
 * account_known: one account from anywhere, known devices included, at KNOWN_DEVICE_ACCOUNT_FACTOR times the
 *   account limit (a known device is only a User-Agent family and a network, both guessable).
 * ip: one address (an IPv4 address or IPv6 /64) across many accounts (credential stuffing).
 * ip_range: one IPv6 /48 across many accounts, locked only when the failures come from at least
 *   IP_RANGE_MIN_SUBNETS distinct /64s (so one /64 cannot lock out its neighbours).
 */
type Scope = 'account_ip' | 'account' | 'account_known' | 'ip' | 'ip_range';
/** The scopes counted up front, in begin(). */
type CountedScope = Exclude<Scope, 'ip_range'>;

interface Lock {
  scope: Scope;
  until: number;
  userId?: string;
}

/**
 * What a credential check is: a login, the current password of a password or email change, or a login's
 * second factor (wrong codes count against the account like wrong passwords).
 */
export type PasswordCheck = 'login' | 'password_change' | 'email_change' | 'second_factor';

/** One password check, counted before the password is verified; hand it back to failed() or succeeded(). */
export interface LoginAttempt {
  readonly check: PasswordCheck;
  readonly client: ClientInfo;
  readonly userId?: string;
  readonly accountKey: string;
  readonly keys: Readonly<Record<CountedScope, string>> & { readonly ip_range?: string };
  /** This attempt's place in each sliding window, itself included. */
  readonly counts: Readonly<Record<CountedScope, number>>;
  /** Whether the client is a device the owner logged in from before (decided at most once, lazily). */
  readonly knownDevice: () => Promise<boolean>;
}

/** Consecutive lockouts double in length while they keep coming within a day. */
const LOCKOUT_MEMORY_MS = 24 * 60 * 60 * 1000;
const LOCKED_MESSAGE = 'Too many failed attempts; try again later';
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
 * log in.
 */
@Injectable()
export class LoginThrottleService {
  private readonly emailKeySecret: Buffer;

  constructor(
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    private readonly store: AttemptStore,
    private readonly anomalies: AnomalyService,
    private readonly audit: AuditService,
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
    const knownDevice = () =>
      (known ??= userId ? this.anomalies.isKnownDevice(userId, client) : Promise.resolve(false));
    await this.assertNotLocked(check, keys, client, knownDevice);

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
    await this.assertNotLocked(check, keys, client, knownDevice);
    // Guesses racing the one that reaches a limit: refused without a password check.
    if (counts.account_ip > login.maxFailuresPerAccountIp) {
      this.refuse(check, client, userId, 'account_ip', login.lockoutBaseSeconds);
    }
    if (counts.account_known > this.knownDeviceAccountLimit()) {
      this.refuse(check, client, userId, 'account_known', login.lockoutBaseSeconds);
    }
    if (counts.account > login.maxFailuresPerAccount && !(await knownDevice())) {
      this.refuse(check, client, userId, 'account', login.lockoutBaseSeconds);
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
      await this.lock('account_ip', keys.account_ip, client, userId, { failures: counts.account_ip });
      lockedOut = true;
    }
    if (counts.account >= login.maxFailuresPerAccount && !(await attempt.knownDevice())) {
      await this.lock('account', keys.account, client, userId, { failures: counts.account });
    }
    if (counts.account_known >= this.knownDeviceAccountLimit()) {
      await this.lock('account_known', keys.account_known, client, userId, { failures: counts.account_known });
    }
    const windowMs = login.windowSeconds * 1000;
    const accounts = await this.store.addToSet(`accounts:${keys.ip}`, attempt.accountKey, windowMs);
    if (counts.ip >= login.maxFailuresPerIp && accounts >= login.ipBlockMinAccounts) {
      await this.lock('ip', keys.ip, client, undefined, { failures: counts.ip, accounts });
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
        await this.lock('ip_range', keys.ip_range, client, undefined, { failures, accounts: rangeAccounts, subnets });
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

  /**
   * The password was never checked (hashing shed the attempt with a 503): the attempt, counted up front, is
   * taken back, so a client retrying through an overload is not locked out by attempts that never ran.
   */
  async abandoned(attempt: LoginAttempt): Promise<void> {
    for (const scope of ['account_ip', 'account', 'account_known', 'ip'] as const) {
      await this.store.unhit(`failures:${attempt.keys[scope]}`);
    }
  }

  private async assertNotLocked(
    check: PasswordCheck,
    keys: LoginAttempt['keys'],
    client: ClientInfo,
    knownDevice: () => Promise<boolean>,
  ): Promise<void> {
    const now = this.clock.now().getTime();
    let retryAfterMs = 0;
    let blocking: Lock | undefined;
    for (const scope of ['account_ip', 'account', 'account_known', 'ip', 'ip_range'] as const) {
      const key = keys[scope];
      if (!key) continue;
      const stored = await this.store.get(`lock:${key}`);
      if (!stored) continue;
      const lock = JSON.parse(stored) as Lock;
      if (lock.until > now) {
        // The owner's own device is not locked out by guesses from elsewhere (its account+IP scope still is).
        if (scope === 'account' && (await knownDevice())) continue;
        if (lock.until - now > retryAfterMs) [retryAfterMs, blocking] = [lock.until - now, lock];
      } else {
        await this.store.delete(`lock:${key}`);
        this.audit.record({
          type: 'lockout_ended',
          success: true,
          userId: lock.userId,
          client,
          reason: scope,
          metadata: { scope, lockedUntil: new Date(lock.until).toISOString() },
        });
      }
    }
    if (blocking) this.refuse(check, client, blocking.userId, blocking.scope, Math.ceil(retryAfterMs / 1000));
  }

  private refuse(
    check: PasswordCheck,
    client: ClientInfo,
    userId: string | undefined,
    scope: Scope,
    retryAfterSeconds: number,
  ): never {
    this.audit.record({
      type: `${check}_failed`,
      success: false,
      userId,
      client,
      reason: 'locked_out',
      metadata: { scope },
    });
    throw new RetryLaterException(LOCKED_MESSAGE, retryAfterSeconds);
  }

  private async lock(
    scope: Scope,
    key: string,
    client: ClientInfo,
    userId: string | undefined,
    counts: Record<string, number>,
  ): Promise<void> {
    const login = this.config.login;
    const now = this.clock.now().getTime();
    let seconds = login.ipBlockSeconds;
    let level = 1;
    if (scope !== 'ip' && scope !== 'ip_range') {
      level = Number((await this.store.get(`lockouts:${key}`)) ?? 0) + 1;
      seconds = Math.min(login.lockoutBaseSeconds * 2 ** Math.min(level - 1, 30), login.lockoutMaxSeconds);
      await this.store.set(`lockouts:${key}`, String(level), LOCKOUT_MEMORY_MS, { keep: true });
    }
    const until = now + seconds * 1000;
    const lock: Lock = { scope, until, userId };
    // Kept a day past its end so the first attempt afterwards can record lockout_ended.
    await this.store.set(`lock:${key}`, JSON.stringify(lock), seconds * 1000 + LOCKOUT_MEMORY_MS, { keep: true });
    await this.store.delete(`failures:${key}`);
    this.audit.record({
      type: 'lockout_started',
      success: false,
      userId,
      client,
      reason: scope,
      metadata: { scope, seconds, level, until: new Date(until).toISOString(), ...counts },
    });
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
