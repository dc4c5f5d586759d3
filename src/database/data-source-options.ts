import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';

/**
 * Every migration, found by name: `migrations/<timestamp>-<kebab-name>.ts` (`.js` once built), the name
 * migration:generate writes, so a new file needs no list to edit. A dot ends the name, so a spec, a
 * declaration file or a source map beside a migration is never loaded as one; nor is a helper.
 */
export const migrationsIn = (dir: string): string => join(dir, 'migrations', '[0-9]*-+([a-z0-9-]).{ts,js}');
/** Warden's own (src/database/migrations/) and each module's, beside its code (src/notes/migrations/). */
export const MIGRATIONS = migrationsIn(join(__dirname, '..', '*'));

/**
 * Undoes the newest migration that ran (`npm run migration:revert`). SQLite's outside a transaction: TypeORM
 * turns SQLite's foreign keys off for a migration only there (after `BEGIN`, SQLite ignores the pragma), and
 * with them on, a table rebuild's `DROP TABLE` would delete, through `ON DELETE CASCADE`, the rows of every
 * table that references the rebuilt one. PostgreSQL's in a transaction, as usual.
 */
export function revertLastMigration(dataSource: DataSource): Promise<void> {
  return dataSource.undoLastMigration({ transaction: dataSource.options.type === 'postgres' ? 'all' : 'none' });
}

/**
 * Every entity of the source tree, for the tools that build a DataSource without Nest modules (the TypeORM
 * CLI, the migration generator). The app itself registers each entity with its module's
 * `TypeOrmModule.forFeature()` (autoLoadEntities), so nothing here imports a feature.
 */
export const ENTITIES = join(__dirname, '..', '**', '*.entity.{ts,js}');

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
 * Maps DATABASE_URL to TypeORM options, entities left to the caller. Migrations run at start-up;
 * `synchronize` stays off everywhere (a dropped entity field would silently drop a column and its data).
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  const common = { migrations: [MIGRATIONS], migrationsRun: true, synchronize: false };
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
