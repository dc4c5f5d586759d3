import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadSettings } from './src/app.config';
import { dataSourceOptions, ENTITIES } from './src/database/data-source-options';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:show`, `migration:run`; `migration:revert` too) on
 * DATABASE_URL. It has no Nest modules to register entities, so it finds them by file name.
 * (`npm run migration:generate` is scripts/generate-migration.ts, not TypeORM's own.)
 */
export default new DataSource({
  ...dataSourceOptions(loadSettings().database.url),
  entities: [ENTITIES],
  migrationsRun: false,
});
