import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { ChallengePurgeJob } from './challenge-purge.job';
import { ChallengeService } from './challenge.service';
import { AuthChallenge } from './entities/auth-challenge.entity';
import { Passkey } from './entities/passkey.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { TotpFactor } from './entities/totp-factor.entity';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { PasskeyService } from './passkey.service';
import { RecoveryCodeService } from './recovery-code.service';
import { SecondFactorService } from './second-factor.service';
import { TotpSecrets } from './totp-secrets';
import { TotpService } from './totp.service';

/** Second factors (TOTP, recovery codes, passkeys) and the challenges between login steps. */
@Module({
  imports: [TypeOrmModule.forFeature([TotpFactor, RecoveryCode, Passkey, AuthChallenge]), UsersModule],
  controllers: [MfaController],
  providers: [
    TotpSecrets,
    TotpService,
    RecoveryCodeService,
    PasskeyService,
    ChallengeService,
    ChallengePurgeJob,
    SecondFactorService,
    MfaService,
  ],
  exports: [ChallengeService, PasskeyService, SecondFactorService],
})
export class MfaModule {}
