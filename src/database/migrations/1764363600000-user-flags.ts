import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

export class UserFlags1764363600000 implements MigrationInterface {
  name = 'UserFlags1764363600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'user_flags',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'reason', type: 'varchar', length: '64' },
          { name: 'alert_id', type: 'varchar', length: '36' },
          { name: 'flagged_at', type: dateType(queryRunner) },
        ],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('user_flags');
  }
}
