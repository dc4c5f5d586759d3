import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Like, Not, Repository } from 'typeorm';
import { secretsConfig } from '../config/secret-settings';
import { KeyDecryptionError, KeyEncryption, type SealedKind } from '../keys/key-encryption';
import { keysConfig } from '../keys/keys.config';
import { TotpFactor } from './entities/totp-factor.entity';

/** TOTP secrets, bound to the user they belong to. */
const TOTP_SECRETS: SealedKind = {
  hkdfInfo: 'warden/totp-secret/v1',
  describe: (userId) => `the TOTP secret of user ${userId}`,
};
/** A sealed value is `<version>.<base64url>`; a secret stored before sealing is bare base64url, with no dot. */
const inClear = (stored: string): boolean => !stored.includes('.');

export interface TotpResealResult {
  /** Secrets stored in the clear (before sealing existed) or under KEY_ENCRYPTION_KEY_PREVIOUS. */
  needed: number;
  /** Of those, how many this run sealed under KEY_ENCRYPTION_KEY (another process may have done the rest). */
  resealed: number;
  /** Secrets no configured key opens (a lost key, or a value moved to another user's row). */
  unreadable: number;
}

/**
 * TOTP secrets at rest. The server must read a secret back to compute codes, so it cannot hash it as it does
 * passwords and recovery codes; it seals it under KEY_ENCRYPTION_KEY instead (AES-256-GCM, the user id
 * bound), so a copy of the database alone yields no second factor. Changing KEY_ENCRYPTION_KEY follows the
 * signing keys' procedure: KEY_ENCRYPTION_KEY_PREVIOUS still opens, `keys:rewrap` re-seals.
 */
@Injectable()
export class TotpSecrets {
  private readonly logger = new Logger(TotpSecrets.name);
  private readonly encryption: KeyEncryption;

  constructor(
    @InjectRepository(TotpFactor) private readonly factors: Repository<TotpFactor>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    @Inject(keysConfig.KEY) keys: ConfigType<typeof keysConfig>,
  ) {
    const previous = keys.previousEncryptionKey;
    this.encryption = new KeyEncryption([secrets.KEY_ENCRYPTION_KEY, ...(previous ? [previous] : [])], TOTP_SECRETS);
  }

  seal(secret: Buffer, userId: string): string {
    return this.encryption.seal(secret, userId);
  }

  /**
   * The factor's secret, or null when no configured key opens it: its codes are then refused (fail closed)
   * and the error logged. One that needed the previous key, or was stored in the clear, is re-sealed now.
   */
  async open(factor: TotpFactor): Promise<Buffer | null> {
    const read = this.read(factor);
    if (!read) return null;
    if (!read.current) await this.reseal(factor, read.secret);
    return read.secret;
  }

  /**
   * Seals what is not sealed under KEY_ENCRYPTION_KEY: every secret (`keys:rewrap`), or only those stored in
   * the clear (`plaintextOnly`, at start-up, so an upgraded database holds no readable secret).
   */
  async resealAll({ plaintextOnly = false } = {}): Promise<TotpResealResult> {
    const rows = await this.factors.find(plaintextOnly ? { where: { secret: Not(Like('%.%')) } } : {});
    const result: TotpResealResult = { needed: 0, resealed: 0, unreadable: 0 };
    for (const row of rows) {
      const read = this.read(row);
      if (!read) result.unreadable += 1;
      else if (!read.current) {
        result.needed += 1;
        if (await this.reseal(row, read.secret)) result.resealed += 1;
      }
    }
    if (result.resealed > 0) {
      this.logger.log(`Sealed ${result.resealed} TOTP secret(s) under the current KEY_ENCRYPTION_KEY`);
    }
    return result;
  }

  private read(factor: TotpFactor): { secret: Buffer; current: boolean } | null {
    if (inClear(factor.secret)) return { secret: Buffer.from(factor.secret, 'base64url'), current: false };
    try {
      const { plaintext, keyIndex } = this.encryption.open(factor.secret, factor.userId);
      return { secret: plaintext, current: keyIndex === 0 };
    } catch (error) {
      if (!(error instanceof KeyDecryptionError)) throw error;
      this.logger.error(error.message);
      return null;
    }
  }

  /** Conditional on the stored value: a concurrent re-seal or a new enrolment is never overwritten. */
  private async reseal(factor: TotpFactor, secret: Buffer): Promise<boolean> {
    const result = await this.factors.update(
      { userId: factor.userId, secret: factor.secret },
      { secret: this.seal(secret, factor.userId) },
    );
    return result.affected === 1;
  }
}
