import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, CreateDateColumn, DataSource, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { schemaChanges } from './generate-migration';
import { formatFile, migrationNames, renderMigration } from './migration-file';
import { unportableSql } from './migration-portability';
import {
  dataSourceOptions,
  ENTITIES,
  MIGRATIONS,
  migrationsIn,
  revertLastMigration,
} from '../src/database/data-source-options';
import { User } from '../src/users/entities/user.entity';
import { freshPostgresSchema } from '../test/helpers/postgres';

type EntityClass = new () => object;

/**
 * A module's tables as a developer would change them: first lists and their items, then a column on the
 * lists, which the items reference (on SQLite, a table rebuild under a foreign key).
 */
function probeEntities(withTitle: boolean) {
  class ListColumns {
    @PrimaryColumn({ type: 'varchar', length: 36 })
    id!: string;

    @ForeignKey(() => User, { onDelete: 'CASCADE' })
    @Column({ name: 'user_id', type: 'varchar', length: 36 })
    userId!: string;

    @CreateDateColumn({ name: 'created_at' })
    createdAt!: Date;
  }
  class ListWithTitle extends ListColumns {
    @Column({ type: 'varchar', length: 120, default: 'untitled' })
    title!: string;
  }
  @Entity('probe_lists')
  class ProbeList extends (withTitle ? ListWithTitle : ListColumns) {}

  @Entity('probe_items')
  @Index(['listId'])
  class ProbeItem {
    @PrimaryColumn({ type: 'varchar', length: 36 })
    id!: string;

    @ForeignKey(() => ProbeList, { onDelete: 'CASCADE' })
    @Column({ name: 'list_id', type: 'varchar', length: 36 })
    listId!: string;

    @Column({ name: 'done_at', type: Date, nullable: true })
    doneAt!: Date | null;
  }
  return { list: ProbeList, item: ProbeItem };
}

describe('npm run migration:generate', () => {
  let dir: string;
  let postgres: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let databases: Record<'sqlite' | 'postgres', string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-generate-'));
    mkdirSync(join(dir, 'migrations'));
    postgres = await freshPostgresSchema();
    databases = { sqlite: `sqlite:${join(dir, 'warden.sqlite')}`, postgres: postgres.url };
  });

  afterAll(async () => {
    await postgres.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The source tree's migrations, and those this test generated. */
  const migrations = () => [MIGRATIONS, migrationsIn(dir)];

  /** What the generator does, with the probe entities beside the source tree's and the databases kept. */
  async function generate(name: string, entities: EntityClass[]): Promise<string> {
    const sources = { entities: [ENTITIES, ...entities], migrations: migrations() };
    const changes = {
      sqlite: await schemaChanges(databases.sqlite, sources),
      postgres: await schemaChanges(databases.postgres, sources),
    };
    const names = migrationNames(name, Date.now());
    const source = renderMigration(name, names, changes);
    if (source === null) throw new Error('expected changes');
    const file = join(dir, 'migrations', names.fileName);
    writeFileSync(file, source);
    formatFile(file);
    return readFileSync(file, 'utf8');
  }

  async function open(database: string, entities: EntityClass[]): Promise<DataSource> {
    const options = { ...dataSourceOptions(database), entities: [ENTITIES, ...entities], migrations: migrations() };
    return new DataSource(options).initialize();
  }

  /** The rebuilt tables still answer for their references: deleting the user empties both. */
  async function expectCascade(dataSource: DataSource, userId: string): Promise<void> {
    await dataSource.getRepository(User).delete({ id: userId });
    expect(await dataSource.query('SELECT id FROM probe_lists')).toEqual([]);
    expect(await dataSource.query('SELECT id FROM probe_items')).toEqual([]);
  }

  async function pendingChanges(dataSource: DataSource): Promise<string[]> {
    return (await dataSource.driver.createSchemaBuilder().log()).upQueries.map(({ query }) => query);
  }

  it('writes migrations that take both databases to the entities and back, keeping rows and foreign keys', async () => {
    const first = probeEntities(false);
    expect(unportableSql(await generate('AddProbeLists', [first.list, first.item]))).toEqual([]);
    for (const database of Object.values(databases)) {
      const dataSource = await open(database, [first.list, first.item]);
      try {
        expect(await pendingChanges(dataSource)).toEqual([]);
        await dataSource
          .getRepository(User)
          .insert({ id: 'u1', email: 'probe@example.test', passwordHash: 'x', roles: [] });
        await dataSource.getRepository(first.list).insert({ id: 'l1', userId: 'u1' });
        await dataSource.getRepository(first.item).insert({ id: 'i1', listId: 'l1', doneAt: null });
      } finally {
        await dataSource.destroy();
      }
    }

    const second = probeEntities(true);
    expect(unportableSql(await generate('AddProbeListTitle', [second.list, second.item]))).toEqual([]);
    for (const database of Object.values(databases)) {
      const dataSource = await open(database, [second.list, second.item]);
      try {
        expect(await pendingChanges(dataSource)).toEqual([]);
        expect(await dataSource.getRepository(second.list).findOneByOrFail({ id: 'l1' })).toMatchObject({
          title: 'untitled',
        });
        await revertLastMigration(dataSource);
        expect(await dataSource.query('SELECT id, list_id FROM probe_items')).toEqual([{ id: 'i1', list_id: 'l1' }]);
        await expectCascade(dataSource, 'u1');

        await dataSource.runMigrations();
        expect(await pendingChanges(dataSource)).toEqual([]);
        await dataSource
          .getRepository(User)
          .insert({ id: 'u2', email: 'two@example.test', passwordHash: 'x', roles: [] });
        await dataSource.getRepository(second.list).insert({ id: 'l2', userId: 'u2' });
        await dataSource.getRepository(second.item).insert({ id: 'i2', listId: 'l2', doneAt: null });
        await expectCascade(dataSource, 'u2');
      } finally {
        await dataSource.destroy();
      }
    }
  }, 60_000);
});
