import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { AuthModule } from '../auth/auth.module';
import { MailModule } from '../mail/mail.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountMailLimiter } from './account-mail-limiter';
import { AccountTokenPurgeJob } from './account-token-purge.job';
import { AccountMailer } from './account-mailer';
import { AccountTokensService } from './account-tokens.service';
import { AfterAnswer } from './after-answer';
import { AccountsController } from './accounts.controller';
import { EmailChangeController } from './email-change.controller';
import { EmailChangeLinksService } from './email-change-links.service';
import { EmailChangeService } from './email-change.service';
import { AccountToken } from './entities/account-token.entity';
import { PasswordResetService } from './password-reset.service';
import { EmailVerificationService } from './email-verification.service';
import { RegistrationService } from './registration.service';

/** Registration, email verification, password reset and email change: the flows that work by mail. */
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountToken]),
    UsersModule,
    SessionsModule,
    AuthModule,
    AnomalyModule,
    MailModule,
  ],
  controllers: [AccountsController, EmailChangeController],
  providers: [
    AccountTokensService,
    AfterAnswer,
    AccountTokenPurgeJob,
    AccountMailer,
    AccountMailLimiter,
    RegistrationService,
    EmailVerificationService,
    PasswordResetService,
    EmailChangeService,
    EmailChangeLinksService,
  ],
  exports: [AccountMailer],
})
export class AccountsModule {}
