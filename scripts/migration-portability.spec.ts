import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unportableSql } from './migration-portability';

const migration = (body: string) => `import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateDefaults, dateType } from './column-types';

export class Example1800000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
${body}
  }
  async down(): Promise<void> {}
}
`;

describe('migrations run on SQLite and PostgreSQL alike', () => {
  const root = join(__dirname, '..');

  it('no migration of the source tree holds driver-specific SQL outside a branch on the driver', () => {
    const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /(^|\/)migrations\/[^/]+\.ts$/.test(file) && !file.endsWith('.spec.ts'))
      .map((file) => join(root, 'src', file));
    expect(files.length).toBeGreaterThan(10);

    const problems = files.flatMap((file) =>
      unportableSql(readFileSync(file, 'utf8'), file).map(
        ({ line, what, sql }) => `${relative(root, file)}:${line}: ${what}: ${sql}`,
      ),
    );

    if (problems.length > 0) {
      throw new Error(
        `Driver-specific SQL in a migration that runs on both SQLite and PostgreSQL:\n${problems.join('\n')}\n` +
          'Use the Table API with the column-types helpers (dateType, dateDefaults), or branch on ' +
          "queryRunner.connection.driver.options.type === 'postgres' as `npm run migration:generate` does; " +
          'see docs/EXTENDING.md#migrations.',
      );
    }
  });

  it('accepts the Table API with the column-types helpers and SQL both databases speak', () => {
    const source = migration(`
    const date = dateType(queryRunner);
    await queryRunner.createTable(new Table({ name: 'notes', columns: [
      { name: 'id', type: 'varchar', length: '36', isPrimary: true },
      { name: 'created_at', type: date, default: dateDefaults(queryRunner).created },
    ] }));
    await queryRunner.query('UPDATE users SET email_verified_at = created_at');
    await queryRunner.query(\`DELETE FROM "notes" WHERE "created_at" IS NULL\`);`);

    expect(unportableSql(source)).toEqual([]);
  });

  it.each([
    [
      'an if on the driver type',
      `if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE "users" ALTER COLUMN "email" TYPE character varying(320)');
    } else {
      await queryRunner.query('PRAGMA legacy_alter_table = ON');
      await queryRunner.query('CREATE TABLE "temporary_users" ("id" varchar PRIMARY KEY AUTOINCREMENT)');
    }`,
    ],
    [
      'a switch on the driver type',
      `switch (queryRunner.connection.driver.options.type) {
      case 'postgres':
        await queryRunner.query('UPDATE notes SET at = now()');
        break;
      default:
        await queryRunner.query("UPDATE notes SET at = datetime('now')");
    }`,
    ],
    [
      'a conditional on a named check',
      `const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    await queryRunner.query(isPostgres ? 'UPDATE notes SET at = now()' : "UPDATE notes SET at = datetime('now')");`,
    ],
    [
      'a table of SQL per database',
      `const sql = { postgres: 'SELECT $1::text', 'better-sqlite3': 'SELECT ?' };
    await queryRunner.query(sql[queryRunner.connection.driver.options.type as keyof typeof sql], ['x']);`,
    ],
  ])('accepts driver-specific SQL inside %s', (_, body) => {
    expect(unportableSql(migration(body))).toEqual([]);
  });

  it.each([
    ["UPDATE notes SET at = datetime('now')", "SQLite's date functions"],
    ['CREATE TABLE "t" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL)', "SQLite's AUTOINCREMENT"],
    ['PRAGMA foreign_keys = OFF', 'a SQLite PRAGMA'],
    ['INSERT INTO "temporary_users" SELECT * FROM "users"', "SQLite's table rebuild (temporary_ tables)"],
    ['INSERT OR IGNORE INTO notes (id) VALUES (1)', "SQLite's INSERT OR"],
    ['DELETE FROM notes WHERE id = ?', "SQLite's ? placeholders (PostgreSQL's are $1)"],
    ['UPDATE notes SET at = now()', "PostgreSQL's now()"],
    ['ALTER TABLE notes ADD id uuid DEFAULT uuid_generate_v4()', "PostgreSQL's UUID functions"],
    ['CREATE TABLE t (id SERIAL PRIMARY KEY)', "PostgreSQL's SERIAL"],
    ["SELECT '1'::integer", "PostgreSQL's :: casts"],
    ['DELETE FROM notes WHERE id = $1', "PostgreSQL's $1 placeholders"],
    ["SELECT * FROM users WHERE email ILIKE '%a%'", "PostgreSQL's ILIKE"],
    ['ALTER TABLE notes ADD at TIMESTAMP WITH TIME ZONE', "PostgreSQL's column types"],
    ['ALTER TABLE notes ALTER COLUMN body SET NOT NULL', 'an ALTER TABLE that SQLite lacks'],
    ['ALTER TABLE notes DROP CONSTRAINT "FK_1"', 'an ALTER TABLE that SQLite lacks'],
    ['CREATE EXTENSION IF NOT EXISTS "uuid-ossp"', 'a PostgreSQL extension'],
  ])('refuses %s in a shared migration', (sql, what) => {
    const source = migration(`    await queryRunner.query(${JSON.stringify(sql)});`);

    expect(unportableSql(source)).toEqual([{ line: 6, what, sql }]);
  });

  it('refuses it wherever it hides: a default, a template, a branch on something else', () => {
    const source = migration(`    await queryRunner.createTable(new Table({ name: 'notes', columns: [
      { name: 'at', type: 'datetime', default: "datetime('now')" },
    ] }));
    const table = 'notes';
    await queryRunner.query(\`INSERT OR REPLACE INTO \${table} (id) VALUES (1)\`);
    if (await queryRunner.hasTable('notes')) await queryRunner.query('UPDATE notes SET at = now()');`);

    expect(unportableSql(source).map(({ line, what }) => ({ line, what }))).toEqual([
      { line: 7, what: "SQLite's date functions" },
      { line: 10, what: "SQLite's INSERT OR" },
      { line: 11, what: "PostgreSQL's now()" },
    ]);
  });
});
