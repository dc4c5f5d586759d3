import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AccountToken } from '../accounts/entities/account-token.entity';
import { KnownDevice } from '../anomaly/entities/known-device.entity';
import { UserFlag } from '../anomaly/entities/user-flag.entity';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { DbscChallenge } from '../dbsc/entities/dbsc-challenge.entity';
import { SigningKey } from '../keys/entities/signing-key.entity';
import { RefreshToken } from '../sessions/entities/refresh-token.entity';
import { Session } from '../sessions/entities/session.entity';
import { Revocation } from '../tokens/entities/revocation.entity';
import { AuthChallenge } from '../mfa/entities/auth-challenge.entity';
import { Passkey } from '../mfa/entities/passkey.entity';
import { RecoveryCode } from '../mfa/entities/recovery-code.entity';
import { TotpFactor } from '../mfa/entities/totp-factor.entity';
import { User } from '../users/entities/user.entity';
import { Foundation1764345600000 } from './migrations/1764345600000-foundation';
import { Sessions1764349200000 } from './migrations/1764349200000-sessions';
import { SecondFactors1764392400000 } from './migrations/1764392400000-second-factors';
import { KeyLifecycle1764352800000 } from './migrations/1764352800000-key-lifecycle';
import { KnownDevices1764360000000 } from './migrations/1764360000000-known-devices';
import { UserFlags1764363600000 } from './migrations/1764363600000-user-flags';
import { SessionEpoch1764367200000 } from './migrations/1764367200000-session-epoch';
import { DeviceBinding1764370800000 } from './migrations/1764370800000-device-binding';
import { AuditCount1764374400000 } from './migrations/1764374400000-audit-count';
import { DpopBinding1764378000000 } from './migrations/1764378000000-dpop-binding';
import { AccountDisable1764381600000 } from './migrations/1764381600000-account-disable';
import { Dbsc1764385200000 } from './migrations/1764385200000-dbsc';
import { AccountTokens1764388800000 } from './migrations/1764388800000-account-tokens';

export const entities = [
  User,
  SigningKey,
  AuditEvent,
  Session,
  RefreshToken,
  Revocation,
  KnownDevice,
  UserFlag,
  DbscChallenge,
  AccountToken,
  TotpFactor,
  RecoveryCode,
  Passkey,
  AuthChallenge,
];
export const migrations = [
  Foundation1764345600000,
  Sessions1764349200000,
  KeyLifecycle1764352800000,
  KnownDevices1764360000000,
  UserFlags1764363600000,
  SessionEpoch1764367200000,
  DeviceBinding1764370800000,
  AuditCount1764374400000,
  DpopBinding1764378000000,
  AccountDisable1764381600000,
  Dbsc1764385200000,
  AccountTokens1764388800000,
  SecondFactors1764392400000,
];

/**
 * SQLite tuned for a server (https://www.sqlite.org/wal.html): write-ahead logging lets reads run beside a
 * write and turns each commit into one append instead of a rewritten rollback journal; synchronous=NORMAL
 * then syncs at checkpoints rather than on every commit. A commit survives a crash of the process; a power
 * loss may lose the last transactions, never corrupt the file. A read-only connection (keys:list) changes
 * nothing about the file.
 */
function tuneSqliteForServer(db: { readonly: boolean; pragma: (source: string) => unknown }): void {
  if (!db.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

/**
 * Maps DATABASE_URL to TypeORM options. Migrations run at start-up; `synchronize` stays off everywhere
 * (a dropped entity field would silently drop a column and its data).
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  const common = { entities, migrations, migrationsRun: true, synchronize: false } as const;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    const database = file === ':memory:' ? ':memory:' : file;
    if (database !== ':memory:') createPrivateFile(database);
    return {
      type: 'better-sqlite3',
      database,
      // Wait this long for another connection's write lock (the CLI beside the server) before SQLITE_BUSY.
      timeout: 5000,
      prepareDatabase: tuneSqliteForServer,
      ...common,
    };
  }
  return { type: 'postgres', url: databaseUrl, ...common };
}

/**
 * The database holds password hashes, sealed signing keys and the audit log: a new file is created owner-only
 * (0600, in a 0700 directory when that is new too) before SQLite opens it, whatever the umask. SQLite gives
 * its journal and WAL files the database file's mode. An existing file keeps the mode its owner chose.
 */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
