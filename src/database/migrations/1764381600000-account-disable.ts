import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { dateType } from '../../common/database/column-types';

export class AccountDisable1764381600000 implements MigrationInterface {
  name = 'AccountDisable1764381600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'disabled_at', type: dateType(queryRunner), isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'disabled_at');
  }
}
