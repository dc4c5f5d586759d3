import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AnomalyService } from '../anomaly/anomaly.service';
import { ipPrefix } from '../anomaly/device';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { throttleConfig } from '../config/configuration';
import { AttemptStore } from '../throttle/attempt-store';

/**
 * account_ip: one account from one address (the ordinary brute force; low limit).
 * account: one account from anywhere (a distributed attack; a far higher limit, so one attacker cannot lock
 *   the owner out everywhere). ip: one address across many accounts (credential stuffing).
 */
type Scope = 'account_ip' | 'account' | 'ip';

interface Lock {
  scope: Scope;
  until: number;
  userId?: string;
}

/** Consecutive lockouts double in length while they keep coming within a day. */
const LOCKOUT_MEMORY_MS = 24 * 60 * 60 * 1000;
const LOCKED_MESSAGE = 'Too many failed attempts; try again later';

/**
 * Failed-login counting and lockouts (OWASP Authentication Cheat Sheet, "Account lockout"). Keys use the
 * submitted email, not the user, so an unknown email is locked out exactly like a real one and a lockout
 * reveals nothing. Checked before the password, so the right password during a lockout does not log in.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
    private readonly store: AttemptStore,
    private readonly anomalies: AnomalyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Throws a 429 with Retry-After while any lock covering this email or address holds. */
  async assertAllowed(email: string, client: ClientInfo): Promise<void> {
    const now = this.clock.now().getTime();
    let retryAfterMs = 0;
    let blocking: Lock | undefined;
    for (const [scope, key] of this.keys(email, client)) {
      const stored = await this.store.get(`lock:${key}`, new Date(now));
      if (!stored) continue;
      const lock = JSON.parse(stored) as Lock;
      if (lock.until > now) {
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
    if (!blocking) return;
    this.audit.record({
      type: 'login_failed',
      success: false,
      userId: blocking.userId,
      client,
      reason: 'locked_out',
      metadata: { scope: blocking.scope },
    });
    throw new RetryLaterException(LOCKED_MESSAGE, Math.ceil(retryAfterMs / 1000));
  }

  async recordFailure(email: string, client: ClientInfo, userId?: string): Promise<void> {
    const login = this.config.login;
    const now = this.clock.now();
    const windowMs = login.windowSeconds * 1000;
    const keys = new Map(this.keys(email, client));
    const [accountIp, account, address] = [keys.get('account_ip')!, keys.get('account')!, keys.get('ip')!];
    const accountIpFailures = await this.store.hit(`failures:${accountIp}`, now, windowMs);
    const accountFailures = await this.store.hit(`failures:${account}`, now, windowMs);
    const addressFailures = await this.store.hit(`failures:${address}`, now, windowMs);
    const accounts = await this.store.addToSet(`accounts:${address}`, emailKey(email), now, windowMs);

    if (accountIpFailures >= login.maxFailuresPerAccountIp) {
      await this.lock('account_ip', accountIp, client, userId, { failures: accountIpFailures });
    }
    if (accountFailures >= login.maxFailuresPerAccount) {
      await this.lock('account', account, client, userId, { failures: accountFailures });
    }
    if (addressFailures >= login.maxFailuresPerIp && accounts.length >= login.ipBlockMinAccounts) {
      await this.lock('ip', address, client, undefined, { failures: addressFailures, accounts: accounts.length });
      this.anomalies.credentialStuffing(client, {
        failures: addressFailures,
        accounts: accounts.length,
        blockSeconds: login.ipBlockSeconds,
      });
    }
  }

  /** The owner got in from here: this address starts afresh for this account. */
  async recordSuccess(email: string, client: ClientInfo): Promise<void> {
    const accountIp = new Map(this.keys(email, client)).get('account_ip')!;
    await this.store.delete(`failures:${accountIp}`, `lockouts:${accountIp}`);
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
    if (scope !== 'ip') {
      level = Number((await this.store.get(`lockouts:${key}`, new Date(now))) ?? 0) + 1;
      seconds = Math.min(login.lockoutBaseSeconds * 2 ** Math.min(level - 1, 30), login.lockoutMaxSeconds);
      await this.store.set(`lockouts:${key}`, String(level), new Date(now + LOCKOUT_MEMORY_MS));
    }
    const until = now + seconds * 1000;
    const lock: Lock = { scope, until, userId };
    // Kept past its end so the first attempt afterwards can record lockout_ended.
    await this.store.set(`lock:${key}`, JSON.stringify(lock), new Date(until + LOCKOUT_MEMORY_MS));
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

  private keys(email: string, client: ClientInfo): [Scope, string][] {
    const account = emailKey(email);
    // An IPv6 client usually controls a whole /64; counting single addresses would be trivially evaded.
    const address = isIPv6(client.ip) ? ipPrefix(client.ip, 32, 64) : client.ip;
    return [
      ['account_ip', `login:account-ip:${account}:${address}`],
      ['account', `login:account:${account}`],
      ['ip', `login:ip:${address}`],
    ];
  }
}

/** Keys hold a hash, not the address typed in: a shared store (Redis) then holds no emails. */
function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
}
