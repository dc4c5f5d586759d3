import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { RolesGuard } from '../common/guards/roles.guard';
import { CsrfGuard } from '../csrf/csrf.guard';
import { CsrfModule } from '../csrf/csrf.module';
import { IssuersModule } from '../issuers/issuers.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';
import { PrincipalController } from './principal.controller';
import { RecentAuthGuard } from './recent-auth.guard';
import { RefreshRefusalService } from './refresh-refusal.service';
import { ResourceTokenController } from './resource-token.controller';
import { ResourceTokenService } from './resource-token.service';
import { SecondFactorLoginService } from './second-factor-login.service';
import { SecondFactorController } from './second-factor.controller';
import { StepUpService } from './step-up.service';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    TokensModule,
    CsrfModule,
    AnomalyModule,
    IssuersModule,
    MfaModule,
    JwtModule.register({}),
  ],
  controllers: [
    AuthController,
    PasswordController,
    PrincipalController,
    ResourceTokenController,
    SecondFactorController,
  ],
  providers: [
    AuthService,
    LoginThrottleService,
    PasswordService,
    RefreshRefusalService,
    ResourceTokenService,
    SecondFactorLoginService,
    StepUpService,
    JwtStrategy,
    // Global guards run in this order: who is calling, may they, did they mean to, and is their login recent
    // enough for this action.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: CsrfGuard },
    { provide: APP_GUARD, useClass: RecentAuthGuard },
  ],
  exports: [AuthService, PasswordService],
})
export class AuthModule {}
