import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { RecoveryCode } from './entities/recovery-code.entity';
import { base32 } from './totp';

export const RECOVERY_CODE_COUNT = 10;

/**
 * Single-use codes for when the phone or key is lost. Each is 80 random bits, so a fast hash is enough
 * (nothing to brute-force, unlike a password); only the hash is stored, the codes are shown once.
 */
@Injectable()
export class RecoveryCodeService {
  constructor(
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    private readonly clock: Clock,
  ) {}

  /** A fresh set; every earlier code, used or not, stops working. */
  async regenerate(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => format(base32(randomBytes(10))));
    await this.codes.manager.transaction(async (manager) => {
      await manager.delete(RecoveryCode, { userId });
      await manager.insert(
        RecoveryCode,
        codes.map((code) => ({ codeHash: hashCode(code), userId, usedAt: null })),
      );
    });
    return codes;
  }

  remaining(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  /** Spends the code if it is one of the user's unused ones; a concurrent second use finds it spent. */
  async use(userId: string, code: string): Promise<boolean> {
    const normalized = normalize(code);
    if (normalized === null) return false;
    const result = await this.codes.update(
      { codeHash: hashCode(normalized), userId, usedAt: IsNull() },
      { usedAt: this.clock.now() },
    );
    return result.affected === 1;
  }

  async removeAll(userId: string): Promise<void> {
    await this.codes.delete({ userId });
  }
}

/** XXXX-XXXX-XXXX-XXXX: readable groups, and what is hashed. */
function format(raw: string): string {
  return raw.match(/.{4}/g)!.join('-');
}

/** People type codes in lower case, with or without dashes and spaces. */
function normalize(code: string): string | null {
  const compact = code.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-7]{16}$/.test(compact) ? format(compact) : null;
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
