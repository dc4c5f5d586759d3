// Long file: the whole key lifecycle (publish, rotate, revoke, retire), each change serialized by one queue.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { keysConfig } from './keys.config';
import { KEY_RETIRE_LEEWAY_SECONDS } from './keys.config';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './jwt.config';
import { isUniqueViolation } from '../common/database/unique-violation';
import { KeyState, SigningKey } from './entities/signing-key.entity';
import { KeyChangeBus } from './key-change.bus';
import { KeyStore } from './key-store.service';

/** Another instance changed the key states between our read and our write; nothing was changed. */
export class RotationConflictError extends Error {
  override readonly name = 'RotationConflictError';
}

export interface RotationResult {
  previous: { kid: string; alg: string; retireAt: Date } | null;
  active: { kid: string; alg: string };
  /** Whether the new active key had to be created now (no next key had been published ahead of time). */
  createdNow: boolean;
}

export interface RevocationResult {
  revoked: { kid: string; alg: string; previousState: KeyState };
  /** The key that signs now, when the revoked key was the active one. */
  active: { kid: string; alg: string } | null;
}

/** The kid names no key, or one already retired: nothing to revoke. */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
}

/**
 * The key lifecycle: next → active → retiring → retired. Every change is a conditional update, and a
 * rotation's demotion and promotion commit together, so no instance ever sees two active keys or none.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger(KeyRotationService.name);
  /** One state change at a time per process; the database arbitrates between processes. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    @Inject(keysConfig.KEY) private readonly settings: ConfigType<typeof keysConfig>,
    private readonly keyStore: KeyStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly changes: KeyChangeBus,
  ) {}

  /** This process reloads now; the others as soon as they hear of it (Redis) or at their next poll. */
  private async changed(): Promise<void> {
    await this.keyStore.reload();
    await this.changes.announce();
  }

  /**
   * How long a retiring key keeps verifying. The hard TTL cap, not the configured ACCESS_TOKEN_TTL: an
   * instance still running an older, longer setting may have signed with this key, and the cap is the one
   * bound every token obeys. Add one refresh interval (other instances sign with the old key until their
   * next poll) and a leeway for clock skew.
   */
  retireDelaySeconds(): number {
    return this.settings.refreshIntervalSeconds + MAX_ACCESS_TOKEN_TTL_SECONDS + KEY_RETIRE_LEEWAY_SECONDS;
  }

  /** Publishes a next key unless one exists; returns the next key either way. */
  publishNext(): Promise<{ key: SigningKey; created: boolean }> {
    return this.serialized(async () => {
      const published = await this.ensureNextKey();
      await this.changed();
      return published;
    });
  }

  /**
   * Switches signing to the next key; the old active key starts retiring. A manual rotation publishes the
   * next key now if there is none (the operator asked for it: verifiers refetch on the unknown kid). A
   * scheduled one names the next key it found due and never creates one: when that kid is no longer `next`,
   * another instance rotated first, and this is a RotationConflictError that changes nothing. Otherwise the
   * loser of a race would create a key and sign with it at once, and retire the key the winner just activated.
   */
  rotate(trigger: 'manual'): Promise<RotationResult>;
  rotate(trigger: 'scheduled', expectedNextKid: string): Promise<RotationResult>;
  rotate(trigger: 'manual' | 'scheduled', expectedNextKid?: string): Promise<RotationResult> {
    return this.serialized(async () => {
      const { key: next, created } =
        trigger === 'scheduled' ? await this.expectedNextKey(expectedNextKid) : await this.ensureNextKey();
      const now = this.clock.now();
      const retireAt = new Date(now.getTime() + this.retireDelaySeconds() * 1000);
      const previous = await this.keys.manager.transaction(async (manager) => {
        const keys = manager.getRepository(SigningKey);
        const current = await keys.findOneBy({ state: 'active' });
        if (current) {
          const demoted = await keys.update(
            { kid: current.kid, state: 'active' },
            { state: 'retiring', deactivatedAt: now, retireAt },
          );
          if (demoted.affected !== 1) throw new RotationConflictError('The active key changed during rotation');
        }
        const promoted = await keys.update({ kid: next.kid, state: 'next' }, { state: 'active', activatedAt: now });
        if (promoted.affected !== 1) throw new RotationConflictError('The next key changed during rotation');
        return current;
      });
      const result: RotationResult = {
        previous: previous ? { kid: previous.kid, alg: previous.alg, retireAt } : null,
        active: { kid: next.kid, alg: next.alg },
        createdNow: created,
      };
      this.audit.record({
        type: 'key_rotated',
        success: true,
        reason: trigger,
        metadata: {
          trigger,
          activeKid: next.kid,
          activeAlg: next.alg,
          previousKid: previous?.kid ?? null,
          previousAlg: previous?.alg ?? null,
          previousRetireAt: previous ? retireAt.toISOString() : null,
          nextCreatedNow: created,
        },
      });
      this.logger.log(`Rotated signing key ${previous?.kid ?? '(none)'} → ${next.kid} (${trigger})`);
      await this.changed();
      return result;
    });
  }

  /**
   * The KEY_ROTATION_INTERVAL schedule, run on every refresh tick by each instance: publish the next key
   * KEY_PREPUBLISH_LEAD before rotation is due, rotate once it is due and the next key has been public for
   * the whole lead time. Returns what it did.
   */
  async rotateIfDue(): Promise<'published' | 'rotated' | 'nothing'> {
    const interval = this.settings.rotationIntervalSeconds;
    if (interval === null) return 'nothing';
    // One statement, one snapshot: read apart, another instance's rotation could land between the two reads,
    // and this one would see the old active key beside no next key and publish a needless new one.
    const live = await this.keys.findBy({ state: In(['active', 'next']) });
    const active = live.find((key) => key.state === 'active');
    const next = live.find((key) => key.state === 'next');
    if (!active) return 'nothing';
    const now = this.clock.now().getTime();
    const lead = this.settings.prepublishLeadSeconds * 1000;
    const dueAt = (active.activatedAt ?? active.createdAt).getTime() + interval * 1000;
    if (!next) {
      if (now < dueAt - lead) return 'nothing';
      await this.publishNext();
      return 'published';
    }
    if (now < dueAt || now < next.createdAt.getTime() + lead) return 'nothing';
    try {
      await this.rotate('scheduled', next.kid);
      return 'rotated';
    } catch (error) {
      if (!(error instanceof RotationConflictError)) throw error;
      this.logger.log('Another instance rotated first');
      return 'nothing';
    }
  }

  /**
   * When signing with the published next key becomes safe: once it has been in the JWKS for the whole
   * KEY_PREPUBLISH_LEAD, so every verifier's cached copy holds it. Null when no next key is published.
   */
  async nextKeySafeAt(): Promise<{ kid: string; safeAt: Date } | null> {
    const next = await this.keys.findOneBy({ state: 'next' });
    if (!next) return null;
    return { kid: next.kid, safeAt: new Date(next.createdAt.getTime() + this.settings.prepublishLeadSeconds * 1000) };
  }

  /**
   * Emergency removal of a key (its private key leaked, say): it goes straight to retired, so it leaves the
   * JWKS and verifies nothing at once in this process and, on every other server, from its next poll
   * (within KEY_REFRESH_INTERVAL: a kid a server knows triggers no reload). `keys:revoke` runs in the CLI,
   * which serves nothing, so every server is an "other" one; tokens it signed die with it. An active key is first replaced by the next key (created now if none
   * is published: verifiers fetch it on the unknown kid).
   */
  revoke(kid: string): Promise<RevocationResult> {
    return this.serialized(async () => {
      const row = await this.keys.findOneBy({ kid });
      if (!row || row.state === 'retired') throw new UnknownKeyError(`No live key with kid ${kid}`);
      const now = this.clock.now();
      let active: RevocationResult['active'] = null;
      if (row.state === 'active') {
        const { key: next } = await this.ensureNextKey();
        await this.keys.manager.transaction(async (manager) => {
          const keys = manager.getRepository(SigningKey);
          const revoked = await keys.update(
            { kid, state: 'active' },
            { state: 'retired', encryptedPrivateKey: '', deactivatedAt: now, retireAt: now },
          );
          if (revoked.affected !== 1) throw new RotationConflictError('The active key changed during revocation');
          const promoted = await keys.update({ kid: next.kid, state: 'next' }, { state: 'active', activatedAt: now });
          if (promoted.affected !== 1) throw new RotationConflictError('The next key changed during revocation');
        });
        active = { kid: next.kid, alg: next.alg };
      } else {
        const revoked = await this.keys.update(
          { kid, state: row.state },
          { state: 'retired', encryptedPrivateKey: '', deactivatedAt: row.deactivatedAt ?? now, retireAt: now },
        );
        if (revoked.affected !== 1) throw new RotationConflictError('The key changed during revocation');
      }
      this.audit.record({
        type: 'key_revoked',
        success: true,
        reason: row.state,
        metadata: { kid, alg: row.alg, previousState: row.state, activeKid: active?.kid ?? null },
      });
      this.logger.warn(
        `Revoked signing key ${kid} (was ${row.state})${active ? `; now signing with ${active.kid}` : ''}`,
      );
      await this.changed();
      return { revoked: { kid, alg: row.alg, previousState: row.state }, active };
    });
  }

  /** Retiring keys past retireAt leave the table's live set; their private key is erased for good. */
  async retireExpired(): Promise<number> {
    const result = await this.keys.update(
      { state: 'retiring', retireAt: LessThanOrEqual(this.clock.now()) },
      { state: 'retired', encryptedPrivateKey: '' },
    );
    return result.affected ?? 0;
  }

  /** The next key a scheduled rotation found due, if it is still the next key. */
  private async expectedNextKey(kid: string | undefined): Promise<{ key: SigningKey; created: false }> {
    const next = kid === undefined ? null : await this.keys.findOneBy({ kid, state: 'next' });
    if (!next) throw new RotationConflictError(`Key ${kid ?? '(none)'} is no longer the next key`);
    return { key: next, created: false };
  }

  private async ensureNextKey(): Promise<{ key: SigningKey; created: boolean }> {
    const existing = await this.keys.findOneBy({ state: 'next' });
    if (existing) return { key: existing, created: false };
    try {
      return { key: await this.keyStore.createKey('next'), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.keys.findOneBy({ state: 'next' });
      if (!winner) throw new RotationConflictError('The next key changed while publishing it');
      return { key: winner, created: false };
    }
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
