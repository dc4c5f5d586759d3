import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
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
export type CountedScope = Exclude<Scope, 'ip_range'>;

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

/** The store keys of one attempt, one per scope (ip_range for IPv6 clients only). */
export type LockKeys = Readonly<Record<CountedScope, string>> & { readonly ip_range?: string };

/** Consecutive lockouts double in length while they keep coming within a day. */
const LOCKOUT_MEMORY_MS = 24 * 60 * 60 * 1000;
const LOCKED_MESSAGE = 'Too many failed attempts; try again later';

/**
 * The locks LoginThrottleService sets when a scope reaches its limit: kept in the AttemptStore (shared by
 * every instance with Redis), escalating, checked before each attempt, and audited when they start and end.
 */
@Injectable()
export class LoginLockService {
  constructor(
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
    private readonly store: AttemptStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Refuses (429 with Retry-After) while a lock covers one of the attempt's keys; a known device passes the
   * account-wide one. A lock found expired is removed and its end audited.
   */
  async assertNotLocked(
    check: PasswordCheck,
    keys: LockKeys,
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

  /** A `<check>_failed` event (locked_out), and the 429 that says when to come back. */
  refuse(
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

  /**
   * Locks `key`: account scopes for LOGIN_LOCKOUT_BASE doubling with each lockout within a day (up to
   * LOGIN_LOCKOUT_MAX), address scopes for LOGIN_IP_BLOCK. The key's failure count starts afresh.
   */
  async lock(
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
}
