import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

export class SessionEpoch1764367200000 implements MigrationInterface {
  name = 'SessionEpoch1764367200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'session_epoch', type: 'integer', isNullable: false, default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'session_epoch');
  }
}
