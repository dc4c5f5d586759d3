import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';

/** One statement of TypeORM's schema builder, with its parameters if any. */
export interface Statement {
  query: string;
  parameters?: unknown[];
}

/** What one database needs to match the entities: `down` in the order it runs (the reverse of `up`). */
export interface SchemaChanges {
  up: Statement[];
  down: Statement[];
}

/** The two databases Warden runs on, each with SQL of its own. */
export interface ChangesPerDatabase {
  postgres: SchemaChanges;
  sqlite: SchemaChanges;
}

export interface MigrationNames {
  /** `AddNickname1796000000000`: TypeORM orders migrations by the timestamp that ends the class name. */
  className: string;
  /** `1796000000000-add-nickname.ts`, which the migrations glob finds (src/database/data-source-options.ts). */
  fileName: string;
}

/** `AddNickname`, `add-nickname` or `add_nickname` (a path keeps its last part) → the class and file names. */
export function migrationNames(name: string, timestamp: number): MigrationNames {
  const words = basename(name)
    .split(/[^A-Za-z0-9]+/)
    .flatMap((word) => word.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/))
    .filter(Boolean);
  if (words.length === 0 || !/^[A-Za-z]/.test(words[0])) {
    throw new Error(`"${name}" is no migration name: give words, e.g. AddNickname or add-nickname`);
  }
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  const kebab = words.map((word) => word.toLowerCase()).join('-');
  return { className: `${pascal}${timestamp}`, fileName: `${timestamp}-${kebab}.ts` };
}

/** A template literal holding `text` as it is. */
function literal(text: string): string {
  return '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

const DROP_COLUMN = /^ALTER TABLE ("[^"]+") DROP COLUMN ("[^"]+")$/;

/**
 * Columns that `changes` drops and then adds again: TypeORM changes a PostgreSQL column's type or length so,
 * and every value in it is lost. Each as `"table"."column"`.
 */
export function columnsDroppedAndReadded(changes: Statement[]): string[] {
  return changes.flatMap(({ query }, index) => {
    const [, table, column] = DROP_COLUMN.exec(query) ?? [];
    if (!table) return [];
    const readded = changes
      .slice(index + 1)
      .some((later) => later.query.startsWith(`ALTER TABLE ${table} ADD ${column} `));
    return readded ? [`${table}.${column}`] : [];
  });
}

function statements(changes: Statement[], database: string): string {
  if (changes.length === 0) return `// Nothing to change on ${database}.`;
  const lost = new Set(columnsDroppedAndReadded(changes));
  return changes
    .map(({ query, parameters }) => {
      const args = parameters?.length ? `${literal(query)}, ${JSON.stringify(parameters)}` : literal(query);
      const [, table, column] = DROP_COLUMN.exec(query) ?? [];
      const warning = lost.has(`${table}.${column}`)
        ? `// DATA LOSS: dropped and added again, this column loses every value. To keep them, write\n` +
          `// ALTER TABLE ${table} ALTER COLUMN ${column} TYPE <new type> instead of these two statements.\n`
        : '';
      return `${warning}await queryRunner.query(${args});`;
    })
    .join('\n');
}

/**
 * SQLite changes a table by rebuilding it, and undoing that renames the table away first; since SQLite 3.26
 * the rename also points the foreign keys of every table that references it at the new name, which is then
 * dropped. With legacy_alter_table on (and foreign keys off, as TypeORM runs migrations) they stay put.
 */
function sqliteStatements(changes: Statement[]): string {
  if (!changes.some(({ query }) => /\bRENAME TO\b/i.test(query))) return statements(changes, 'SQLite');
  const legacyRename = (on: boolean) => ({ query: `PRAGMA legacy_alter_table = ${on ? 'ON' : 'OFF'}` });
  return (
    `// Renames leave other tables' foreign keys alone (https://www.sqlite.org/lang_altertable.html#compatibility).\n` +
    statements([legacyRename(true), ...changes, legacyRename(false)], 'SQLite')
  );
}

function method(name: 'up' | 'down', changes: ChangesPerDatabase): string {
  return `async ${name}(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      ${statements(changes.postgres[name], 'PostgreSQL')}
    } else {
      ${sqliteStatements(changes.sqlite[name])}
    }
  }`;
}

/**
 * The migration file for `changes`, or null when neither database needs one. Raw SQL is each driver's own
 * (SQLite rebuilds a table where PostgreSQL alters it), so each database gets its branch.
 */
export function renderMigration(name: string, names: MigrationNames, changes: ChangesPerDatabase): string | null {
  const { postgres, sqlite } = changes;
  if (postgres.up.length + postgres.down.length + sqlite.up.length + sqlite.down.length === 0) return null;
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Written by \`npm run migration:generate -- ${basename(name)}\` from the entities: TypeORM's SQL for each
 * database Warden runs on (better-sqlite3 takes the else branch). An edit goes into both branches.
 */
export class ${names.className} implements MigrationInterface {
  name = '${names.className}';

  ${method('up', changes)}

  ${method('down', changes)}
}
`;
}

/** Formats a written file with the project's Prettier settings, as `npm run format` would. */
export function formatFile(file: string): void {
  const prettier = join(dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');
  const config = join(__dirname, '..', '.prettierrc');
  execFileSync(process.execPath, [prettier, '--config', config, '--log-level', 'warn', '--write', file], {
    stdio: 'inherit',
  });
}
