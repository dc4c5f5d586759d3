import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

export class Sessions1764349200000 implements MigrationInterface {
  name = 'Sessions1764349200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'transport', type: 'varchar', length: '8' },
          { name: 'created_at', type: date },
          { name: 'created_ip', type: 'varchar', length: '64' },
          { name: 'created_user_agent', type: 'varchar', length: '512' },
          { name: 'last_used_at', type: date },
          { name: 'last_ip', type: 'varchar', length: '64' },
          { name: 'last_user_agent', type: 'varchar', length: '512' },
          { name: 'idle_expires_at', type: date },
          { name: 'expires_at', type: date },
          { name: 'revoked_at', type: date, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '64', isNullable: true },
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
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36' },
          { name: 'parent_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'issued_at', type: date },
          { name: 'expires_at', type: date },
          { name: 'used_at', type: date, isNullable: true },
          { name: 'used_ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'used_user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'superseded_at', type: date, isNullable: true },
          { name: 'grace_used_at', type: date, isNullable: true },
        ],
        indices: [
          new TableIndex({ columnNames: ['session_id'] }),
          new TableIndex({ columnNames: ['parent_id'] }),
          new TableIndex({ columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'revocations',
        columns: [
          { name: 'kind', type: 'varchar', length: '8', isPrimary: true },
          { name: 'subject', type: 'varchar', length: '64', isPrimary: true },
          { name: 'issued_before', type: 'integer', isNullable: true },
          { name: 'expires_at', type: date },
          { name: 'created_at', type: date },
        ],
        indices: [new TableIndex({ columnNames: ['expires_at'] }), new TableIndex({ columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revocations');
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('sessions');
  }
}
