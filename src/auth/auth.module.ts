import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { CsrfModule } from '../csrf/csrf.module';
import { KnownDevicesModule } from '../known-devices/known-devices.module';
import { DpopModule } from '../dpop/dpop.module';
import { DbscModule } from '../dbsc/dbsc.module';
import { IssuersModule } from '../issuers/issuers.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DpopGrantService } from './dpop-grant.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginLockService } from './login-lock.service';
import { LoginSessionService } from './login-session.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordChangeService } from './password-change.service';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';
import { PrincipalController } from './principal.controller';
import { RefreshRefusalService } from './refresh-refusal.service';
import { RefreshService } from './refresh.service';
import { ResourceTokenController } from './resource-token.controller';
import { ResourceTokenService } from './resource-token.service';
import { SecondFactorLoginService } from './second-factor-login.service';
import { SecondFactorController } from './second-factor.controller';
import { SessionGrantService } from './session-grant.service';
import { StepUpService } from './step-up.service';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    TokensModule,
    CsrfModule,
    AnomalyModule,
    KnownDevicesModule,
    DbscModule,
    IssuersModule,
    MfaModule,
    DpopModule,
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
    LoginSessionService,
    SessionGrantService,
    RefreshService,
    RefreshRefusalService,
    PasswordChangeService,
    LoginThrottleService,
    LoginLockService,
    PasswordService,
    DpopGrantService,
    ResourceTokenService,
    SecondFactorLoginService,
    StepUpService,
    JwtStrategy,
  ],
  // JwtStrategy for the JWT guard, which the security pipeline (pipeline/) registers with the other guards.
  exports: [AuthService, PasswordService, JwtStrategy, LoginThrottleService],
})
export class AuthModule {}
