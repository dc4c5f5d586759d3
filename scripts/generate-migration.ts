/**
 * `npm run migration:generate -- <Name>`: a migration from the entities' difference to the migrations, for
 * SQLite and PostgreSQL alike. TypeORM's own generator writes one driver's SQL (SQLite's `datetime('now')`
 * and table rebuilds would break PostgreSQL), so this asks TypeORM's schema builder twice: an in-memory
 * SQLite and a scratch schema on PostgreSQL, each migrated to the newest migration first. Neither is
 * DATABASE_URL: the difference is the entities' to the migrations, not to a database that may have drifted.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { redactDatabaseUrl } from '../src/database/database-connection';
import { dataSourceOptions, ENTITIES } from '../src/database/data-source-options';
import {
  columnsDroppedAndReadded,
  formatFile,
  migrationNames,
  renderMigration,
  type SchemaChanges,
} from './migration-file';

/** The scratch PostgreSQL the tests use (TEST_POSTGRES_URL): the generator creates and drops a schema there. */
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SOURCE_DIR = join(__dirname, '..', 'src');

/** What the database at `databaseUrl`, once migrated, needs to match the entities. */
export async function schemaChanges(
  databaseUrl: string,
  sources: Pick<DataSourceOptions, 'entities' | 'migrations'> = {},
): Promise<SchemaChanges> {
  const options = { ...dataSourceOptions(databaseUrl), entities: [ENTITIES], ...sources, migrationsRun: true };
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    // With no entity at all the schema builder would find nothing to change, and say so wrongly.
    if (dataSource.entityMetadatas.length === 0) throw new Error(`No entities found (the glob is ${ENTITIES})`);
    const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
    const statement = ({ query, parameters }: { query: string; parameters?: unknown[] }) => ({ query, parameters });
    return { up: upQueries.map(statement), down: downQueries.reverse().map(statement) };
  } finally {
    await dataSource.destroy();
  }
}

/** Runs `use` on a DATABASE_URL for a fresh schema of POSTGRES_URL, dropped again afterwards. */
async function withScratchPostgres<T>(use: (databaseUrl: string) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: POSTGRES_URL });
  try {
    await admin.connect();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const reason = [code, message].filter(Boolean).join(': ');
    throw new Error(
      `migration:generate writes PostgreSQL's SQL too, so it needs a PostgreSQL, but cannot connect to ` +
        `${redactDatabaseUrl(POSTGRES_URL)} (${reason}). Start one, or set TEST_POSTGRES_URL to a database ` +
        `where it may create (and drop) a scratch schema.`,
    );
  }
  const schema = `warden_generate_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return await use(url.toString());
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

async function main(args: string[]): Promise<void> {
  if (args.length < 1 || args.length > 2) {
    throw new Error('usage: npm run migration:generate -- <Name> [module], e.g. AddNickname, or AddNotes notes');
  }
  // A module owns its tables, so its migrations live in its own folder (src/<module>/migrations/).
  const [name, module = 'database'] = args;
  if (!/^[a-z][a-z0-9-]*$/.test(module) || !existsSync(join(SOURCE_DIR, module))) {
    throw new Error(`No module folder src/${module}/: name the folder of the module whose entities changed.`);
  }
  const migrationsDir = join(SOURCE_DIR, module, 'migrations');
  const names = migrationNames(name, Date.now());
  const changes = {
    sqlite: await schemaChanges('sqlite::memory:'),
    postgres: await withScratchPostgres((url) => schemaChanges(url)),
  };
  const source = renderMigration(name, names, changes);
  if (source === null) {
    console.log('No changes: the migrations already build what the entities describe. Nothing written.');
    return;
  }
  mkdirSync(migrationsDir, { recursive: true });
  const file = join(migrationsDir, names.fileName);
  writeFileSync(file, source, { flag: 'wx' });
  formatFile(file);
  console.log(
    `Wrote ${relative(process.cwd(), file)} (${changes.postgres.up.length} statements on PostgreSQL, ` +
      `${changes.sqlite.up.length} on SQLite). Read it, then start the app or run npm run migration:run.`,
  );
  for (const column of columnsDroppedAndReadded(changes.postgres.up)) {
    console.warn(
      `Warning: on PostgreSQL it drops and re-adds ${column}, losing its values: see the DATA LOSS comment.`,
    );
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
