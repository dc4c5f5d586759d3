// Long file: one per-instance cache of the key table, whose load, reload, start-up and re-seal share its state.
import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { jwtConfig } from './jwt.config';
import { keysConfig } from './keys.config';
import { secretsConfig } from '../config/secret-settings';
import type { SigningAlgorithm } from './jwt.config';
import { isUniqueViolation } from '../common/database/unique-violation';
import { KeyState, SigningKey } from './entities/signing-key.entity';
import { generateSigningKeyPair } from './jwk';
import { developmentDatabaseError } from './development-database';
import { KeyDecryptionError, KeyEncryption } from './key-encryption';

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  /**
   * Parsed once per kid and kept: handed a PEM string, jsonwebtoken would parse it again on every verify
   * (createPublicKey was about two thirds of an ES256 verification). The same object for as long as the
   * kid verifies, so a cache can tell that a key is still the one that verified a token.
   */
  publicKey: KeyObject;
}

/** States whose keys may still verify a live token: `next` too, since another instance may sign with it first. */
export const VERIFYING_STATES: KeyState[] = ['next', 'active', 'retiring'];

/**
 * A token with an unknown kid may come from a key another instance has just activated; reloading at once
 * closes that gap, but at most this often, so a stream of forged kids cannot turn into a stream of queries.
 */
export const UNKNOWN_KID_RELOAD_SECONDS = 5;

/**
 * No usable active key (none in the table, or it does not open with the configured encryption keys):
 * nothing is signed rather than signing with a key the table no longer calls active. Clients see a 503
 * in the shared error shape; /api/health reports it.
 */
export class SigningKeyUnavailableError extends ServiceUnavailableException {
  constructor() {
    super('No signing key is available; try again later');
  }
}

export interface RewrapResult {
  /** Live keys (next, active, retiring). */
  total: number;
  /** Live keys that opened only with KEY_ENCRYPTION_KEY_PREVIOUS when this run looked at them. */
  openedWithPrevious: number;
  /** Of those, how many this run re-sealed (another process may have re-sealed the rest first). */
  resealed: number;
}

/**
 * The registry of signing keys. Several keys are valid at once (the active one plus those about to sign
 * or still verifying), each bound to the single algorithm it was created for. The table is the truth;
 * this is each instance's cache of it, refreshed by KeyRefreshJob every KEY_REFRESH_INTERVAL.
 */
@Injectable()
export class KeyStore {
  private readonly logger = new Logger(KeyStore.name);
  private readonly encryption: KeyEncryption;
  private active?: ActiveSigningKey;
  private verifying = new Map<string, VerificationKey & { row: SigningKey }>();
  private reloading?: Promise<void>;
  private queuedReload?: Promise<void>;
  private lastUnknownKidReload = Number.NEGATIVE_INFINITY;

  constructor(
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    @Inject(keysConfig.KEY) settings: ConfigType<typeof keysConfig>,
    private readonly clock: Clock,
  ) {
    const previous = settings.previousEncryptionKey;
    this.encryption = new KeyEncryption([secrets.KEY_ENCRYPTION_KEY, ...(previous ? [previous] : [])]);
  }

  /**
   * The server's start-up step (KeyRefreshJob runs it at bootstrap; the CLI never does, so its read-only
   * commands change nothing): opens every live key, so a wrong KEY_ENCRYPTION_KEY fails start-up rather
   * than the first login, re-seals keys found under KEY_ENCRYPTION_KEY_PREVIOUS, loads the table and
   * creates the first active key on an empty database.
   */
  async prepare(): Promise<RewrapResult> {
    const rewrapped = await this.rewrap().catch(async (error: unknown) => {
      throw (error instanceof KeyDecryptionError && (await this.explainUnopenedKey())) || error;
    });
    await this.reload();
    if (!this.active) await this.activateFirstKey();
    return rewrapped;
  }

  activeSigningKey(): ActiveSigningKey {
    if (!this.active) throw new SigningKeyUnavailableError();
    return this.active;
  }

  hasActiveSigningKey(): boolean {
    return this.active !== undefined;
  }

  /** The key for a token's kid, or undefined: unknown, retired and expired-retiring keys verify nothing. */
  verificationKey(kid: string): VerificationKey | undefined {
    const key = this.verifying.get(kid);
    if (!key) return undefined;
    if (key.row.retireAt && key.row.retireAt <= this.clock.now()) return undefined;
    return key;
  }

  /** Like verificationKey, but an unknown kid first triggers a rate-limited reload of the key table. */
  async findVerificationKey(kid: string): Promise<VerificationKey | undefined> {
    const known = this.verificationKey(kid);
    if (known || this.verifying.has(kid)) return known;
    const now = this.clock.now().getTime();
    if (now - this.lastUnknownKidReload < UNKNOWN_KID_RELOAD_SECONDS * 1000) return undefined;
    this.lastUnknownKidReload = now;
    await this.reload();
    return this.verificationKey(kid);
  }

  /** Public JWKs of every key that may still verify a live token (RFC 7517 §4). */
  publishedKeys(): Record<string, string>[] {
    return [...this.verifying.values()]
      .filter((key) => this.verificationKey(key.kid))
      .map(({ row }) => ({ ...row.publicJwk, kid: row.kid, alg: row.alg, use: 'sig' }));
  }

  /**
   * Generates a key with the configured JWT_ALG and stores it sealed. The partial unique indexes refuse a
   * second active or next key; callers treat that refusal as "another instance got there first".
   */
  async createKey(state: 'next' | 'active'): Promise<SigningKey> {
    const pair = generateSigningKeyPair(this.jwt.algorithm);
    const now = this.clock.now();
    const row = this.keys.create({
      kid: pair.kid,
      alg: pair.alg,
      state,
      publicJwk: pair.publicJwk,
      encryptedPrivateKey: this.encryption.seal(pair.privateKey.export({ format: 'der', type: 'pkcs8' }), pair.kid),
      createdAt: now,
      activatedAt: state === 'active' ? now : null,
      deactivatedAt: null,
      retireAt: null,
    });
    await this.keys.insert(row);
    this.logger.log(`Created ${state} ${pair.alg} signing key ${pair.kid}`);
    return row;
  }

  /** Why no configured key opens the live keys, when the reason is a development database. */
  private async explainUnopenedKey(): Promise<KeyDecryptionError | null> {
    const rows = await this.keys.find({ where: { state: In(VERIFYING_STATES) } });
    for (const row of rows) {
      const error = developmentDatabaseError(row.encryptedPrivateKey, row.kid);
      if (error) return error;
    }
    return null;
  }

  /**
   * Re-seals, under the current KEY_ENCRYPTION_KEY, every live key that only opens with the previous one.
   * Throws KeyDecryptionError when a key opens with neither. Retired keys hold no private key any more.
   */
  async rewrap(): Promise<RewrapResult> {
    const rows = await this.keys.find({ where: { state: In(VERIFYING_STATES) } });
    let resealed = 0;
    let openedWithPrevious = 0;
    for (const row of rows) {
      const { plaintext, keyIndex } = this.encryption.open(row.encryptedPrivateKey, row.kid);
      if (keyIndex === 0) continue;
      openedWithPrevious += 1;
      // Conditional on the old ciphertext: an instance re-sealing at the same moment cannot be overwritten.
      const result = await this.keys.update(
        { kid: row.kid, encryptedPrivateKey: row.encryptedPrivateKey },
        { encryptedPrivateKey: this.encryption.seal(plaintext, row.kid) },
      );
      if (result.affected) {
        resealed += 1;
        this.logger.log(`Re-sealed signing key ${row.kid} under the current KEY_ENCRYPTION_KEY`);
      }
    }
    return { total: rows.length, openedWithPrevious, resealed };
  }

  /**
   * Re-reads the key table. Concurrent callers share queries, but a load already running may have read the
   * table before the caller's own change (a rotation, a revocation): such callers get one more load that
   * starts after it, shared by everyone who asks meanwhile.
   */
  reload(): Promise<void> {
    if (!this.reloading) {
      this.reloading = this.load().finally(() => {
        this.reloading = undefined;
      });
      return this.reloading;
    }
    this.queuedReload ??= this.reloading
      .catch(() => undefined)
      .then(() => {
        this.queuedReload = undefined;
        return this.reload();
      });
    return this.queuedReload;
  }

  /**
   * Insert-if-absent: when several instances boot on an empty database, the unique index on the active
   * state lets exactly one insert win; the others adopt the winner's key on reload.
   */
  private async activateFirstKey(): Promise<void> {
    try {
      await this.createKey('active');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.logger.log('Another instance created the first signing key; using it');
    }
    await this.reload();
    if (!this.active) throw new Error('No active signing key after start-up');
  }

  /**
   * The verification map is replaced from the table first, whatever happens to the private key: an
   * instance that cannot open a new active key must still learn new kids and forget retired ones.
   */
  private async load(): Promise<void> {
    const rows = await this.keys.find({ where: { state: In(VERIFYING_STATES) } });
    const verifying = new Map<string, VerificationKey & { row: SigningKey }>();
    for (const row of rows) {
      const cached = this.verifying.get(row.kid);
      verifying.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        publicKey: cached?.publicKey ?? createPublicKey({ key: row.publicJwk, format: 'jwk' }),
        row,
      });
    }
    this.verifying = verifying;

    // Only the key the table calls active signs. Keeping the previous one would sign after its retireAt.
    const row = rows.find((candidate) => candidate.state === 'active');
    let active: ActiveSigningKey | undefined;
    if (row) {
      try {
        active = this.active?.kid === row.kid ? this.active : this.openPrivateKey(row);
      } catch (error) {
        if (!(error instanceof KeyDecryptionError)) throw error;
        this.logger.error(`${error.message} Signing is stopped until this instance can open it.`);
      }
    }
    if (active && active.kid !== this.active?.kid) this.logger.log(`Signing with key ${active.kid} (${active.alg})`);
    if (!active && this.active) this.logger.error('No usable active signing key: signing is stopped');
    this.active = active;
  }

  private openPrivateKey(row: SigningKey): ActiveSigningKey {
    const { plaintext } = this.encryption.open(row.encryptedPrivateKey, row.kid);
    return {
      kid: row.kid,
      alg: row.alg,
      privateKey: createPrivateKey({ key: plaintext, format: 'der', type: 'pkcs8' }),
    };
  }
}
