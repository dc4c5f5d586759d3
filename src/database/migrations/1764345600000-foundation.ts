import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { dateDefaults, dateType } from '../../common/database/column-types';

export class Foundation1764345600000 implements MigrationInterface {
  name = 'Foundation1764345600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    const now = dateDefaults(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'email', type: 'varchar', length: '254', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'roles', type: 'text' },
          { name: 'created_at', type: date, default: now.created },
          { name: 'updated_at', type: date, default: now.updated },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'alg', type: 'varchar', length: '8' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'encrypted_private_key', type: 'text' },
          { name: 'created_at', type: date },
          { name: 'activated_at', type: date, isNullable: true },
          { name: 'deactivated_at', type: date, isNullable: true },
          { name: 'retire_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['state'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'type', type: 'varchar', length: '64' },
          { name: 'user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'session_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'success', type: 'boolean' },
          { name: 'reason', type: 'varchar', length: '128', isNullable: true },
          { name: 'metadata', type: 'text', isNullable: true },
          { name: 'created_at', type: date },
        ],
        indices: [
          new TableIndex({ columnNames: ['created_at'] }),
          new TableIndex({ columnNames: ['type', 'created_at'] }),
          new TableIndex({ columnNames: ['user_id', 'created_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
    await queryRunner.dropTable('signing_keys');
    await queryRunner.dropTable('users');
  }
}
