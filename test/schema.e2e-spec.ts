import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { freshPostgresSchema } from './helpers/postgres';
import { createTestApp } from './helpers/test-app';

/**
 * The migrations build the schema; the entities describe it. If the two disagree, `npm run migration:generate`
 * after an unrelated entity change would also emit the drift, e.g. dropping a foreign key or the unique
 * indexes the key store relies on. After start-up (which runs the migrations), the schema builder must find
 * nothing to change. The failure shows the statements it would run.
 */
describe('schema: migrations and entity metadata agree', () => {
  async function pendingSchemaChanges(databaseUrl: string): Promise<string[]> {
    const t = await createTestApp({ env: { DATABASE_URL: databaseUrl } });
    try {
      const { upQueries } = await t.dataSource.driver.createSchemaBuilder().log();
      return upQueries.map(({ query }) => query);
    } finally {
      await t.close();
    }
  }

  it('on SQLite', async () => {
    expect(await pendingSchemaChanges('sqlite::memory:')).toEqual([]);
  });

  it('on PostgreSQL', async () => {
    const schema = await freshPostgresSchema();
    try {
      expect(await pendingSchemaChanges(schema.url)).toEqual([]);
    } finally {
      await schema.drop();
    }
  });

  /**
   * The app loads the entities its modules register (`TypeOrmModule.forFeature`, autoLoadEntities). An entity
   * no module names would have a table but no mapping, and the check above would not notice its drift. An
   * entity file may also export the shapes its rows travel in (src/notes/note.entity.ts: the DTOs, where the
   * OpenAPI plugin reads them); only its @Entity classes count.
   */
  it('maps every entity of the source tree, each registered by its module', async () => {
    const src = join(__dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.entity.ts'));
    const modules = await Promise.all(files.map((file) => import(join(src, file)) as Promise<Record<string, unknown>>));
    const tables = getMetadataArgsStorage().tables.map((table) => table.target);
    const declared = modules.flatMap((exported) =>
      Object.values(exported).filter((value) => tables.includes(value as never)),
    );
    const t = await createTestApp();
    try {
      const mapped = t.dataSource.entityMetadatas.map((metadata) => metadata.target);
      const unmapped = declared.filter((entity) => !mapped.includes(entity as () => void));
      expect(unmapped.map((entity) => (entity as { name: string }).name)).toEqual([]);
      expect(declared.length).toBeGreaterThanOrEqual(files.length);
    } finally {
      await t.close();
    }
  });
});
