import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import {
  type ChangesPerDatabase,
  columnsDroppedAndReadded,
  formatFile,
  migrationNames,
  renderMigration,
} from './migration-file';
import { unportableSql } from './migration-portability';

const names = migrationNames('AddNickname', 1800000000000);
const none = { up: [], down: [] };

const changes: ChangesPerDatabase = {
  postgres: {
    up: [{ query: `ALTER TABLE "users" ADD "nickname" character varying(64)` }],
    down: [{ query: `ALTER TABLE "users" DROP COLUMN "nickname"` }],
  },
  sqlite: {
    up: [
      { query: `CREATE TABLE "temporary_users" ("id" varchar(36) PRIMARY KEY NOT NULL, "nickname" varchar(64))` },
      { query: `INSERT INTO "temporary_users"("id") SELECT "id" FROM "users"` },
      { query: `DROP TABLE "users"` },
      { query: `ALTER TABLE "temporary_users" RENAME TO "users"` },
    ],
    down: [
      { query: 'INSERT INTO "typeorm_metadata"("type", "name") VALUES (?, ?)', parameters: ['VIEW', 'a `b` ${c}'] },
    ],
  },
};

type Recorded = { query: string; parameters?: unknown[] };

/** Runs the rendered migration's `method` as the given database would, recording its statements. */
async function run(source: string, type: string, method: 'up' | 'down'): Promise<Recorded[]> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exports: Record<string, new () => Record<typeof method, (runner: unknown) => Promise<void>>> = {};
  runInNewContext(outputText, { exports });
  const recorded: Recorded[] = [];
  const queryRunner = {
    connection: { driver: { options: { type } } },
    query: (query: string, parameters?: unknown[]) =>
      void recorded.push(parameters ? { query, parameters } : { query }),
  };
  await new exports[names.className]()[method](queryRunner);
  return recorded;
}

describe('the migration file migration:generate writes', () => {
  it('is named from the given words and a timestamp', () => {
    expect(names).toEqual({ className: 'AddNickname1800000000000', fileName: '1800000000000-add-nickname.ts' });
    expect(migrationNames('add-user_nickname', 1)).toEqual({
      className: 'AddUserNickname1',
      fileName: '1-add-user-nickname.ts',
    });
    expect(migrationNames('src/database/migrations/AddHTTPLog', 1)).toEqual({
      className: 'AddHTTPLog1',
      fileName: '1-add-http-log.ts',
    });
    expect(() => migrationNames('9lives', 1)).toThrow(/no migration name/);
    expect(() => migrationNames('--', 1)).toThrow(/no migration name/);
  });

  it('is not written when neither database needs a change', () => {
    expect(renderMigration('Nothing', names, { postgres: none, sqlite: none })).toBeNull();
  });

  it("runs each database's own statements, parameters and quoting intact", async () => {
    const source = renderMigration('AddNickname', names, changes)!;

    expect(await run(source, 'postgres', 'up')).toEqual(changes.postgres.up);
    expect(await run(source, 'postgres', 'down')).toEqual(changes.postgres.down);
    expect(await run(source, 'better-sqlite3', 'down')).toEqual(changes.sqlite.down);
  });

  it("renames SQLite tables with legacy_alter_table on, so other tables' foreign keys keep their target", async () => {
    const source = renderMigration('AddNickname', names, changes)!;

    expect(await run(source, 'better-sqlite3', 'up')).toEqual([
      { query: 'PRAGMA legacy_alter_table = ON' },
      ...changes.sqlite.up,
      { query: 'PRAGMA legacy_alter_table = OFF' },
    ]);
  });

  it("marks TypeORM's drop-and-add of a PostgreSQL column (a type or length change), which loses its values", async () => {
    const widened = {
      up: [
        { query: `ALTER TABLE "users" DROP COLUMN "nickname"` },
        { query: `ALTER TABLE "users" ADD "nickname" character varying(128)` },
        { query: `ALTER TABLE "users" DROP COLUMN "legacy"` },
      ],
      down: [],
    };
    expect(columnsDroppedAndReadded(widened.up)).toEqual(['"users"."nickname"']);
    const source = renderMigration('WidenNickname', names, { postgres: widened, sqlite: none })!;
    expect(source.match(/DATA LOSS/g)).toHaveLength(1);
    expect(source).toContain('// ALTER TABLE "users" ALTER COLUMN "nickname" TYPE <new type> instead');
    // A comment only: the statements stay TypeORM's, for the author to rewrite.
    expect(await run(source, 'postgres', 'up')).toEqual(widened.up);
  });

  it('says when a database has nothing to change', async () => {
    const source = renderMigration('AddNickname', names, { ...changes, sqlite: none })!;

    expect(source).toContain('// Nothing to change on SQLite.');
    expect(await run(source, 'better-sqlite3', 'up')).toEqual([]);
  });

  it("passes the portability check, and Prettier's", () => {
    const source = renderMigration('AddNickname', names, changes)!;
    const dir = mkdtempSync(join(tmpdir(), 'warden-migration-'));
    try {
      const file = join(dir, names.fileName);
      writeFileSync(file, source);
      formatFile(file);
      const formatted = readFileSync(file, 'utf8');
      formatFile(file);

      expect(readFileSync(file, 'utf8')).toBe(formatted);
      expect(formatted).not.toBe(source);
      expect(unportableSql(formatted)).toEqual([]);
      expect(unportableSql(source)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
