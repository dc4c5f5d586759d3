import type { QueryRunner } from 'typeorm';

/** The column type each database uses for a JS Date, so one migration serves SQLite and PostgreSQL. */
export function dateType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.normalizeType({ type: Date });
}
