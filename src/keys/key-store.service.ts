import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { jwtConfig, secretsConfig } from '../config/configuration';
import type { SigningAlgorithm } from '../config/environment';
import { SigningKey } from './entities/signing-key.entity';
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
const VERIFYING_STATES = ['next', 'active', 'retiring'] as const;

/**
 * The registry of signing keys. Several keys are valid at once (the active one plus those about to sign
 * or still verifying), each bound to the single algorithm it was created for.
 */
@Injectable()
export class KeyStore implements OnModuleInit {
  private readonly logger = new Logger(KeyStore.name);
  private readonly encryption: KeyEncryption;
  private active?: ActiveSigningKey;
  private verifying = new Map<string, VerificationKey & { row: SigningKey }>();

  constructor(
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    private readonly clock: Clock,
  ) {
    this.encryption = new KeyEncryption([secrets.KEY_ENCRYPTION_KEY]);
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (!this.active) {
      await this.createKey('active');
      await this.reload();
    }
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

  /** Public JWKs of every key that may still verify a live token (RFC 7517 §4). */
  publishedKeys(): Record<string, string>[] {
    return [...this.verifying.values()]
      .filter((key) => this.verificationKey(key.kid))
      .map(({ row }) => ({ ...row.publicJwk, kid: row.kid, alg: row.alg, use: 'sig' }));
  }

  private async createKey(state: 'next' | 'active'): Promise<SigningKey> {
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
    await this.keys.save(row);
    this.logger.log(`Created ${state} ${pair.alg} signing key ${pair.kid}`);
    return row;
  }

  private async reload(): Promise<void> {
    const rows = await this.keys.find({ where: { state: In([...VERIFYING_STATES]) } });
    const verifying = new Map<string, VerificationKey & { row: SigningKey }>();
    let active: ActiveSigningKey | undefined;
    for (const row of rows) {
      verifying.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        publicKeyPem: createPublicKey({ key: row.publicJwk, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        }) as string,
        row,
      });
      if (row.state === 'active') {
        const { plaintext } = this.encryption.open(row.encryptedPrivateKey, row.kid);
        active = {
          kid: row.kid,
          alg: row.alg,
          privateKey: createPrivateKey({ key: plaintext, format: 'der', type: 'pkcs8' }),
        };
      }
    }
    this.verifying = verifying;
    this.active = active;
  }
}
