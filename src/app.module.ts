import { CspReportsModule } from './csp-reports/csp-reports.module';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { SettingsModule } from './app.config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ClientModule } from './client/client.module';
import { ClockModule } from './common/clock/clock';
import { HttpFallbackModule } from './common/fallback/http-fallback.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { appConfig, databaseConfig } from './config/app-settings';
import { CsrfModule } from './csrf/csrf.module';
import { openDataSource, typeOrmOptions } from './database/database-connection';
import { HealthModule } from './health/health.module';
import { KeysServerModule } from './keys/keys-server.module';
import { LabModule } from './lab/lab.module';
import { LoggingModule } from './logging/logging.module';
import { NotesModule } from './notes/notes.module';
import { SecurityPipelineModule } from './pipeline/security-pipeline.module';
import { SessionsModule } from './sessions/sessions.module';
import { ThrottleModule } from './throttle/throttle.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';
import { RedisModule } from './redis/redis.module';

@Module({
  imports: [
    SettingsModule,
    ClockModule,
    RedisModule,
    LoggingModule,
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY, appConfig.KEY],
      useFactory: (database: ConfigType<typeof databaseConfig>, app: ConfigType<typeof appConfig>) =>
        typeOrmOptions(database.url, app.nodeEnv),
      dataSourceFactory: openDataSource,
    }),
    ScheduleModule.forRoot(),
    AuditModule,
    ThrottleModule,
    KeysServerModule,
    TokensModule,
    UsersModule,
    SessionsModule,
    CsrfModule,
    AuthModule,
    AccountsModule,
    // Global guards and interceptors, in the order they run.
    SecurityPipelineModule,
    AdminModule,
    NotesModule,
    CspReportsModule,
    HealthModule,
    LabModule,
    ClientModule,
    HttpFallbackModule,
  ],
  providers: [
    // Validation with depth and shape checks first; whitelist + forbidNonWhitelisted refuse a smuggled `roles`.
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
