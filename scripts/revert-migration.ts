import 'reflect-metadata';
import dataSource from '../ormconfig';
import { revertLastMigration } from '../src/database/data-source-options';

/** `npm run migration:revert`: undoes the newest migration on DATABASE_URL, safely on SQLite too. */
async function main(): Promise<void> {
  // What TypeORM's own migration:revert prints: each statement, and the migration it reverted.
  dataSource.setOptions({ logging: ['query', 'error', 'schema'] });
  await dataSource.initialize();
  try {
    await revertLastMigration(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
