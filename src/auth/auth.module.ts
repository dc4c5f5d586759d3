import { Module } from '@nestjs/common';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { CsrfModule } from '../csrf/csrf.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';

@Module({
  imports: [UsersModule, SessionsModule, TokensModule, CsrfModule, AnomalyModule],
  controllers: [AuthController, PasswordController],
  providers: [AuthService, LoginThrottleService, PasswordService, JwtStrategy],
  // JwtStrategy for the JWT guard, which the security pipeline (pipeline/) registers with the other guards.
  exports: [AuthService, PasswordService, JwtStrategy],
})
export class AuthModule {}
