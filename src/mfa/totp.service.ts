import { ConflictException, Injectable, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Not, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { TotpFactor } from './entities/totp-factor.entity';
import { matchingTotpStep, newTotpSecret, otpauthUri } from './totp';
import { TotpSecrets } from './totp-secrets';

/** What an authenticator app needs: the QR code's URI (rendered by the client) and the secret for manual entry. */
export interface TotpEnrolment {
  otpauthUri: string;
  secret: string;
}

const ISSUER_LABEL = 'Warden';

@Injectable()
export class TotpService implements OnApplicationBootstrap {
  constructor(
    @InjectRepository(TotpFactor) private readonly factors: Repository<TotpFactor>,
    private readonly secrets: TotpSecrets,
    private readonly clock: Clock,
  ) {}

  /** Before serving: secrets stored in the clear by a build that did not seal them are sealed now. */
  async onApplicationBootstrap(): Promise<void> {
    await this.secrets.resealAll({ plaintextOnly: true });
  }

  async isEnabled(userId: string): Promise<boolean> {
    return this.factors.existsBy({ userId, confirmedAt: Not(IsNull()) });
  }

  /** A new secret, not yet guarding anything: an unconfirmed enrolment is replaced by the next one. */
  async beginEnrolment(userId: string, account: string): Promise<TotpEnrolment> {
    if (await this.isEnabled(userId)) {
      throw new ConflictException('An authenticator app is already enrolled; remove it first');
    }
    const secret = newTotpSecret();
    await this.factors.delete({ userId });
    await this.factors.insert({
      userId,
      secret: this.secrets.seal(secret, userId),
      confirmedAt: null,
      lastUsedStep: null,
      createdAt: this.clock.now(),
    });
    const uri = otpauthUri(secret, ISSUER_LABEL, account);
    return { otpauthUri: uri, secret: new URL(uri).searchParams.get('secret') ?? '' };
  }

  /** The first code proves the app holds the secret; only then does the factor guard logins. */
  async confirm(userId: string, code: string): Promise<boolean> {
    const factor = await this.factors.findOneBy({ userId, confirmedAt: IsNull() });
    if (!factor) throw new NotFoundException('No authenticator app enrolment is waiting for confirmation');
    const secret = await this.secrets.open(factor);
    const step = secret ? matchingTotpStep(secret, code, this.clock.nowSeconds()) : null;
    if (step === null) return false;
    const result = await this.factors.update(
      { userId, confirmedAt: IsNull() },
      { confirmedAt: this.clock.now(), lastUsedStep: step },
    );
    return result.affected === 1;
  }

  /**
   * A code is good once: its time step must be later than the last one accepted (RFC 6238 §5.2), and the
   * conditional UPDATE makes two concurrent presentations of one code spend it once.
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const factor = await this.factors.findOneBy({ userId, confirmedAt: Not(IsNull()) });
    if (!factor) return false;
    const secret = await this.secrets.open(factor);
    const step = secret ? matchingTotpStep(secret, code, this.clock.nowSeconds()) : null;
    if (step === null) return false;
    const spent = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: step })
      .where({ userId })
      .andWhere([{ lastUsedStep: IsNull() }, { lastUsedStep: LessThan(step) }])
      .execute();
    return spent.affected === 1;
  }

  async remove(userId: string): Promise<boolean> {
    const result = await this.factors.delete({ userId, confirmedAt: Not(IsNull()) });
    return (result.affected ?? 0) > 0;
  }
}
