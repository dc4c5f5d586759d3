import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadSettings } from './src/app.config';
import { dataSourceOptions } from './src/database/data-source-options';

/** The DataSource the TypeORM CLI uses (`npm run migration:generate -- src/database/migrations/<name>`). */
export default new DataSource({ ...dataSourceOptions(loadSettings().database.url), migrationsRun: false });
