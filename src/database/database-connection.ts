import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/**
 * The database named by DATABASE_URL could not be reached or opened. An operator error: start-up prints
 * this one line (main.ts), not TypeORM's stack traces.
 */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
}

/** Network and server answers that mean "DATABASE_URL points at nothing usable" (node, pg and SQLite codes). */
const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ECONNRESET: 'the server closed the connection',
  '3D000': 'the database does not exist',
  '28P01': 'the password was refused',
  '28000': 'the user is not allowed to connect',
  SQLITE_CANTOPEN: 'the file cannot be opened',
};

/** DATABASE_URL with any password masked, fit for a log line. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}

/** A DatabaseConnectionError for a connection failure; anything else (a failing migration) is returned as is. */
export function describeConnectionFailure(error: unknown, databaseUrl: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in CONNECTION_CODES)) return error;
  const detail = error instanceof Error ? error.message : code;
  return new DatabaseConnectionError(
    `Cannot connect to the database at DATABASE_URL=${redactDatabaseUrl(databaseUrl)}: ` +
      `${CONNECTION_CODES[code]} (${detail}). Check DATABASE_URL.`,
  );
}

/**
 * TypeORM options for the app and the CLI. Each module registers its own entities with
 * `TypeOrmModule.forFeature()` (autoLoadEntities): an entity no module names has no table mapping. Outside production a wrong DATABASE_URL stops start-up at the
 * first failure with one line; production keeps @nestjs/typeorm's retries (10 attempts, 3 s apart) for
 * connection failures only, since a database container may still be starting.
 */
export function typeOrmOptions(
  databaseUrl: string,
  nodeEnv: string,
  overrides: Partial<DataSourceOptions> = {},
): TypeOrmModuleOptions {
  return {
    ...dataSourceOptions(databaseUrl),
    autoLoadEntities: true,
    ...overrides,
    toRetry: (error) => nodeEnv === 'production' && error instanceof DatabaseConnectionError,
  } as TypeOrmModuleOptions;
}

/** @nestjs/typeorm's dataSourceFactory: opens the data source, naming DATABASE_URL when it cannot connect. */
export async function openDataSource(options?: DataSourceOptions): Promise<DataSource> {
  if (!options) throw new Error('openDataSource needs the data source options');
  try {
    return await new DataSource(options).initialize();
  } catch (error) {
    const url = 'url' in options && options.url ? options.url : `sqlite:${String(options.database)}`;
    throw describeConnectionFailure(error, url);
  }
}
