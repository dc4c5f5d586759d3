import { freshPostgresSchema } from './postgres';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app';

/** A database an HTTP test can run on: `start` boots a test app on a fresh, private one of its kind. */
export interface TestDatabase {
  name: 'SQLite' | 'PostgreSQL';
  /** createTestApp() on this database; the app's close() also removes the database. */
  start: (options?: TestAppOptions) => Promise<TestApp>;
}

/** SQLite in memory, by name: also under `npm run test:e2e:pg-redis`, which gives other suites PostgreSQL. */
export const sqlite: TestDatabase = {
  name: 'SQLite',
  start: (options = {}) => createTestApp({ ...options, env: { ...options.env, DATABASE_URL: 'sqlite::memory:' } }),
};

/** PostgreSQL (test/helpers/postgres.ts): a throw-away schema, dropped when the app closes. */
export const postgres: TestDatabase = {
  name: 'PostgreSQL',
  start: async (options = {}) => {
    const schema = await freshPostgresSchema();
    let app: TestApp;
    try {
      app = await createTestApp({ ...options, env: { ...options.env, DATABASE_URL: schema.url } });
    } catch (error) {
      await schema.drop();
      throw error;
    }
    return {
      ...app,
      close: async () => {
        try {
          await app.close();
        } finally {
          await schema.drop();
        }
      },
    };
  },
};

/**
 * Declares the same tests once per database, for behaviour whose correctness depends on the database
 * (concurrency, constraints, types). `title` may hold `%s` for the database's name. Start the app in the
 * suite as usual:
 *
 *     describeOnBothDatabases('notes on %s', (database) => {
 *       let t: TestApp;
 *       beforeAll(async () => {
 *         t = await database.start();
 *       });
 *       afterAll(() => t?.close());
 *       it('...', async () => { await t.http()... });
 *     });
 */
export function describeOnBothDatabases(title: string, tests: (database: TestDatabase) => void): void {
  describe.each([
    [sqlite.name, sqlite],
    [postgres.name, postgres],
  ])(title, (_name, database) => tests(database));
}
