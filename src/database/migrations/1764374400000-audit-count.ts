import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Unauthenticated rejections of one source and reason share a row per window; `count` says how many. */
export class AuditCount1764374400000 implements MigrationInterface {
  name = 'AuditCount1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'audit_events',
      new TableColumn({ name: 'count', type: 'integer', isNullable: false, default: 1 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_events', 'count');
  }
}
