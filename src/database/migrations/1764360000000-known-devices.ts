import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

export class KnownDevices1764360000000 implements MigrationInterface {
  name = 'KnownDevices1764360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'known_devices',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'user_agent_family', type: 'varchar', length: '64' },
          { name: 'ip_prefix', type: 'varchar', length: '64' },
          { name: 'first_seen_at', type: date },
          { name: 'last_seen_at', type: date },
        ],
        indices: [new TableIndex({ columnNames: ['user_id', 'user_agent_family', 'ip_prefix'], isUnique: true })],
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
    await queryRunner.dropTable('known_devices');
  }
}
