import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { AuditService } from '../audit/audit.service';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { passwordHashingConfig } from './password-hashing.config';
import { HashingOverloadedError, HashingSlots } from './hashing-slots';

/** OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** A flood of refused hashes is one audit event per this interval, carrying the count, not one per request. */
const SHED_AUDIT_INTERVAL_MS = 1000;

/** Password hashing is shedding load: 503 with Retry-After, in the shared error shape. */
export class PasswordHashingBusyException extends RetryLaterException {
  constructor(retryAfterSeconds: number) {
    super('The server is busy, try again shortly', retryAfterSeconds, HttpStatus.SERVICE_UNAVAILABLE);
  }
}

@Injectable()
export class PasswordService {
  private readonly logger = new Logger(PasswordService.name);
  /** Verified when the email is unknown, so both failures take the same time (no account enumeration). */
  private readonly dummyHash = hash('warden-timing-equalizer', ARGON2_OPTIONS);
  private readonly slots: HashingSlots;
  private readonly retryAfterSeconds: number;
  private shedTotal = 0;
  private shedUnaudited = 0;
  private lastShedAudit = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(passwordHashingConfig.KEY) config: ConfigType<typeof passwordHashingConfig>,
    private readonly audit: AuditService,
  ) {
    this.slots = new HashingSlots(config.concurrency, config.queue, config.maxWaitSeconds * 1000);
    this.retryAfterSeconds = config.maxWaitSeconds;
  }

  /**
   * Refuses at once when a hash could not even queue now, so a flood is turned away before the database
   * and throttle work that leads up to the hash (that work, per refused request, is what starves the loop).
   */
  assertCapacity(): void {
    if (!this.slots.full()) return;
    this.recordShed('queue_full');
    throw new PasswordHashingBusyException(this.retryAfterSeconds);
  }

  hash(password: string): Promise<string> {
    return this.shedWhenBusy(() => hash(password, ARGON2_OPTIONS));
  }

  /** False for a wrong password or an unreadable hash; throws PasswordHashingBusyException when shedding. */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.shedWhenBusy(() => verify(passwordHash, password).catch(() => false));
  }

  /** Spends the same effort as a real verification (in the same queue) and always fails. */
  async verifyAgainstDummy(password: string): Promise<false> {
    const dummy = await this.dummyHash;
    await this.verify(dummy, password);
    return false;
  }

  private async shedWhenBusy<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.slots.run(work);
    } catch (error) {
      if (!(error instanceof HashingOverloadedError)) throw error;
      this.recordShed(error.reason);
      throw new PasswordHashingBusyException(this.retryAfterSeconds);
    }
  }

  private recordShed(reason: HashingOverloadedError['reason']): void {
    this.shedTotal += 1;
    this.shedUnaudited += 1;
    const now = Date.now();
    if (now - this.lastShedAudit < SHED_AUDIT_INTERVAL_MS) return;
    this.lastShedAudit = now;
    const shed = this.shedUnaudited;
    this.shedUnaudited = 0;
    this.audit.record({
      type: 'password_hashing_shed',
      success: false,
      reason,
      metadata: { shed, shedTotal: this.shedTotal, ...this.slots.load() },
    });
    this.logger.warn(`Password hashing is shedding load: ${shed} refused (${this.shedTotal} since start)`);
  }
}
