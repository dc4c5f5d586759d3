import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { jwtConfig, keysConfig, secretsConfig } from '../config/configuration';
import type { SigningAlgorithm } from '../config/environment';
import { isUniqueViolation } from '../database/unique-violation';
import { KeyState, SigningKey } from './entities/signing-key.entity';
import { generateSigningKeyPair } from './jwk';
import { KeyEncryption } from './key-encryption';

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKeyPem: string;
}

/** States whose keys may still verify a live token: `next` too, since another instance may sign with it first. */
export const VERIFYING_STATES: KeyState[] = ['next', 'active', 'retiring'];

/**
 * A token with an unknown kid may come from a key another instance has just activated; reloading at once
 * closes that gap, but at most this often, so a stream of forged kids cannot turn into a stream of queries.
 */
export const UNKNOWN_KID_RELOAD_SECONDS = 5;

/**
 * The registry of signing keys. Several keys are valid at once (the active one plus those about to sign
 * or still verifying), each bound to the single algorithm it was created for. The table is the truth;
 * this is each instance's cache of it, refreshed by KeyRefreshJob every KEY_REFRESH_INTERVAL.
 */
@Injectable()
export class KeyStore implements OnModuleInit {
  private readonly logger = new Logger(KeyStore.name);
  private readonly encryption: KeyEncryption;
  private active?: ActiveSigningKey;
  private verifying = new Map<string, VerificationKey & { row: SigningKey }>();
  private reloading?: Promise<void>;
  private lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  /** Keys found sealed under KEY_ENCRYPTION_KEY_PREVIOUS at start-up and re-sealed under the current key. */
  resealedAtStartup = 0;

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

  async onModuleInit(): Promise<void> {
    // Opening every live key here makes a wrong KEY_ENCRYPTION_KEY fail start-up, not the first login.
    this.resealedAtStartup = (await this.rewrap()).resealed;
    await this.reload();
    if (!this.active) await this.activateFirstKey();
  }

  activeSigningKey(): ActiveSigningKey {
    if (!this.active) throw new Error('No active signing key');
    return this.active;
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

  /**
   * Re-seals, under the current KEY_ENCRYPTION_KEY, every live key that only opens with the previous one.
   * Throws KeyDecryptionError when a key opens with neither. Retired keys hold no private key any more.
   */
  async rewrap(): Promise<{ resealed: number; total: number }> {
    const rows = await this.keys.find({ where: { state: In(VERIFYING_STATES) } });
    let resealed = 0;
    for (const row of rows) {
      const { plaintext, keyIndex } = this.encryption.open(row.encryptedPrivateKey, row.kid);
      if (keyIndex === 0) continue;
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
    return { resealed, total: rows.length };
  }

  /** Re-reads the key table. Concurrent callers (timer, unknown kid) share one query. */
  reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
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

  private async load(): Promise<void> {
    const rows = await this.keys.find({ where: { state: In(VERIFYING_STATES) } });
    const verifying = new Map<string, VerificationKey & { row: SigningKey }>();
    let active: ActiveSigningKey | undefined;
    for (const row of rows) {
      const cached = this.verifying.get(row.kid);
      verifying.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        publicKeyPem:
          cached?.publicKeyPem ??
          (createPublicKey({ key: row.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string),
        row,
      });
      if (row.state === 'active') {
        active = this.active?.kid === row.kid ? this.active : this.openPrivateKey(row);
      }
    }
    if (active && active.kid !== this.active?.kid) this.logger.log(`Signing with key ${active.kid} (${active.alg})`);
    this.verifying = verifying;
    // Should a rotation's commit be missed mid-way, the last known active key keeps signing: it still verifies.
    this.active = active ?? this.active;
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
