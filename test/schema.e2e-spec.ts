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
});
