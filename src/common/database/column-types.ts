import type { QueryRunner } from 'typeorm';

/** The column type each database uses for a JS Date, so one migration serves SQLite and PostgreSQL. */
export function dateType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.normalizeType({ type: Date });
}

/**
 * The "now" default that @CreateDateColumn and @UpdateDateColumn declare on each database (SQLite
 * `datetime('now')`, PostgreSQL `now()`). A differently spelled equivalent (e.g. CURRENT_TIMESTAMP) would
 * work too, but migration:generate would then see a difference and rebuild the column (on SQLite, the table).
 */
export function dateDefaults(queryRunner: QueryRunner): { created: string; updated: string } {
  const { createDateDefault, updateDateDefault } = queryRunner.connection.driver.mappedDataTypes;
  return { created: createDateDefault, updated: updateDateDefault };
}
