import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SettingsModule } from '../app.config';
import { AuditModule } from '../audit/audit.module';
import { ClockModule } from '../common/clock/clock';
import { appConfig, databaseConfig } from '../config/app-settings';
import { openDataSource, typeOrmOptions } from '../database/database-connection';
import { KeysModule } from '../keys/keys.module';
import { TotpFactor } from '../mfa/entities/totp-factor.entity';
import { TotpSecrets } from '../mfa/totp-secrets';
import { UsersModule } from '../users/users.module';
import { SessionsRevokeAllCommand, UserDisableCommand, UserEnableCommand } from './account-control.command';
import { CliDatabase } from './cli-database';
import { CliOutput } from './cli-output';
import { KeysListCommand, KeysRevokeCommand, KeysRewrapCommand, KeysRotateCommand } from './keys.command';
import { SecretsGenerateCommand } from './secrets.command';
import { SecurityCheckCommand } from './security-check.command';
import { UserDemoteCommand, UserPromoteCommand } from './user-role.command';
import { RedisModule } from '../redis/redis.module';

/**
 * The application context of `npm run cli`: configuration, database and the services commands use; no
 * HTTP, no schedule, no key start-up (KeysServerModule) and no migrations at start (see CliDatabase), so
 * read-only commands change nothing.
 */
@Module({
  imports: [
    SettingsModule,
    ClockModule,
    RedisModule,
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY, appConfig.KEY],
      useFactory: (database: ConfigType<typeof databaseConfig>, app: ConfigType<typeof appConfig>) =>
        typeOrmOptions(database.url, app.nodeEnv, { migrationsRun: false }),
      dataSourceFactory: openDataSource,
    }),
    TypeOrmModule.forFeature([TotpFactor]),
    AuditModule,
    KeysModule,
    UsersModule,
  ],
  providers: [
    CliOutput,
    // Not MfaModule: its start-up seals stored secrets, and the CLI's read-only commands change nothing.
    TotpSecrets,
    CliDatabase,
    KeysRotateCommand,
    KeysListCommand,
    KeysRewrapCommand,
    KeysRevokeCommand,
    UserPromoteCommand,
    UserDemoteCommand,
    UserDisableCommand,
    UserEnableCommand,
    SessionsRevokeAllCommand,
    SecretsGenerateCommand,
    SecurityCheckCommand,
  ],
})
export class CliModule {}
