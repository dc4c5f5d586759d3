import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrationsIn } from './data-source-options';

async function loadedMigrations(options: ReturnType<typeof dataSourceOptions>): Promise<string[]> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  await dataSource.initialize();
  try {
    return dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
  } finally {
    await dataSource.destroy();
  }
}

describe('migrations are found by file name, with no list to edit', () => {
  it('loads every <timestamp>-<name> file of src/database/migrations and of each module, and nothing else', async () => {
    const src = join(__dirname, '..');
    const files = readdirSync(src, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(src, entry.name, 'migrations')))
      .flatMap((entry) => readdirSync(join(src, entry.name, 'migrations')))
      .filter((file) => /^\d{13}-.*\.ts$/.test(file));
    const timestamps = files.map((file) => file.slice(0, 13)).sort();

    const names = await loadedMigrations(dataSourceOptions('sqlite::memory:'));

    expect(names.map((name) => name.slice(-13)).sort()).toEqual(timestamps);
  });

  it('leaves out helpers, specs, source maps and declaration files beside the migrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-migrations-'));
    try {
      mkdirSync(join(dir, 'migrations'));
      const file = (name: string, text: string) => writeFileSync(join(dir, 'migrations', name), text);
      file(
        '1700000000000-first.js',
        'exports.First1700000000000 = class { name = "First1700000000000"; async up() {} async down() {} };',
      );
      file('1700000000000-first.js.map', '{}');
      file('1700000000000-first.d.ts', 'export declare class First1700000000000 {}');
      // Loaded as a migration, a spec would call describe() outside Jest.
      file('1700000000000-first.spec.js', 'describe("first", () => undefined);');
      // A helper exports functions too: loaded as a migration, it would fail for want of a timestamp.
      file('column-types.js', 'exports.dateType = function dateType() { return "datetime"; };');

      const options = { ...dataSourceOptions('sqlite::memory:'), migrations: [migrationsIn(dir)] };

      expect(await loadedMigrations(options)).toEqual(['First1700000000000']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
