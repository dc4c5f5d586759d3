import { type CanActivate, type NestInterceptor, Module, type Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuthModule } from '../auth/auth.module';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { RecentAuthGuard } from '../auth/recent-auth.guard';
import { RolesGuard } from '../access/roles.guard';
import { AuthenticatedResponseInterceptor } from '../access/authenticated-response.interceptor';
import { SecretFieldsInterceptor } from '../common/interceptors/secret-fields.interceptor';
import { CsrfGuard } from '../csrf/csrf.guard';
import { CsrfModule } from '../csrf/csrf.module';
import { DpopModule } from '../dpop/dpop.module';
import { IssuersModule } from '../issuers/issuers.module';
import { ClientIpThrottlerGuard } from '../throttle/client-ip-throttler.guard';

/**
 * Every request passes these guards, in this order; the first to refuse ends it:
 * floods are refused before any token work (throttle), then who is calling (JWT, deny by default), may
 * they (roles), did they mean to (CSRF, which needs to know how the caller authenticated), and is their
 * login recent enough for this action (@RequiresRecentAuth, 401 insufficient_user_authentication).
 */
export const SECURITY_GUARDS: readonly Type<CanActivate>[] = [
  ClientIpThrottlerGuard,
  JwtAuthGuard,
  RolesGuard,
  CsrfGuard,
  RecentAuthGuard,
];

/**
 * Then these interceptors, outermost first (the first sees the request first and the outcome last):
 * the audit record sees the final outcome of everything inside it; authenticated answers get their
 * headers before the handler runs, so errors carry them too; serialization is closest to the handler,
 * so every other step only ever sees a body without secret fields.
 */
export const RESPONSE_INTERCEPTORS: readonly Type<NestInterceptor>[] = [
  AuditInterceptor,
  AuthenticatedResponseInterceptor,
  SecretFieldsInterceptor,
];

/**
 * The one place global guards and interceptors are registered. Nest applies APP_GUARD and APP_INTERCEPTOR
 * providers in registration order; spread over several modules, that order would rest on import order.
 */
@Module({
  imports: [AuthModule, AnomalyModule, CsrfModule, IssuersModule, DpopModule],
  providers: [
    ...SECURITY_GUARDS.map((guard) => ({ provide: APP_GUARD, useClass: guard })),
    ...RESPONSE_INTERCEPTORS.map((interceptor) => ({ provide: APP_INTERCEPTOR, useClass: interceptor })),
  ],
})
export class SecurityPipelineModule {}
