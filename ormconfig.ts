import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvironment } from './src/config/environment';
import { dataSourceOptions } from './src/database/data-source-options';

/** The DataSource the TypeORM CLI uses (`npm run migration:generate -- src/database/migrations/<name>`). */
export default new DataSource({ ...dataSourceOptions(loadEnvironment().databaseUrl), migrationsRun: false });
