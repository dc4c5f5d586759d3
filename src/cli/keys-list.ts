import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { databaseUrlOf } from '../config/app-settings';
import { dataSourceOptions } from '../database/data-source-options';
import { SigningKey } from '../keys/entities/signing-key.entity';

/** The configured SQLite file does not exist: a read-only command reports it rather than creating it. */
export class MissingDatabaseError extends Error {
  override readonly name = 'MissingDatabaseError';
}

const iso = (date: Date | null) => date?.toISOString() ?? '-';

/**
 * Opens the configured database for reading only. A SQLite file must already exist (checked before
 * TypeORM, which would create it and its directory), and opens read-only; nothing is migrated.
 */
export async function openExistingDatabase(databaseUrl: string): Promise<DataSource> {
  const file = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : undefined;
  if (file !== undefined && file !== ':memory:' && !existsSync(file)) {
    throw new MissingDatabaseError(
      `no database at ${file}; start Warden once or run \`npm run migration:run\` (DATABASE_URL=${databaseUrl})`,
    );
  }
  const options = { ...dataSourceOptions(databaseUrl), entities: [SigningKey], migrationsRun: false };
  const dataSource = new DataSource(
    options.type === 'better-sqlite3' && file !== ':memory:'
      ? { ...options, readonly: true, fileMustExist: true }
      : options,
  );
  await dataSource.initialize();
  return dataSource;
}

/** kid, alg, state and dates of every key; the private key is never even read. "no keys" before any exists. */
export async function printKeys(dataSource: DataSource, line: (text: string) => void): Promise<void> {
  const runner = dataSource.createQueryRunner();
  const migrated = await runner.hasTable('signing_keys').finally(() => runner.release());
  const keys = migrated
    ? await dataSource.getRepository(SigningKey).find({
        select: {
          kid: true,
          alg: true,
          state: true,
          createdAt: true,
          activatedAt: true,
          deactivatedAt: true,
          retireAt: true,
        },
        order: { createdAt: 'ASC' },
      })
    : [];
  if (keys.length === 0) {
    line('no keys');
    return;
  }
  line(['kid', 'alg', 'state', 'created', 'activated', 'deactivated', 'retire at'].join('\t'));
  for (const key of keys) {
    const dates = [key.createdAt, key.activatedAt, key.deactivatedAt, key.retireAt].map(iso);
    line([key.kid, key.alg, key.state, ...dates].join('\t'));
  }
}

/**
 * `keys:list` as src/cli.ts runs it, before any module is built: it needs DATABASE_URL only, no secret
 * (so it generates none) and no migration. Returns the exit code.
 */
export async function keysList(
  line: (text: string) => void,
  error: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let dataSource: DataSource;
  try {
    dataSource = await openExistingDatabase(databaseUrlOf(env));
  } catch (failure) {
    if (!(failure instanceof MissingDatabaseError)) throw failure;
    error(failure.message);
    return 1;
  }
  try {
    await printKeys(dataSource, line);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
