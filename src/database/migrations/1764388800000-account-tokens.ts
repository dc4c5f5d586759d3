import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

export class AccountTokens1764388800000 implements MigrationInterface {
  name = 'AccountTokens1764388800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'email_verified_at', type: date, isNullable: true }),
      new TableColumn({ name: 'credential_epoch', type: 'integer', isNullable: false, default: 0 }),
    ]);
    // Accounts made before verification existed keep working: their address counts as verified.
    await queryRunner.query('UPDATE users SET email_verified_at = created_at');
    await queryRunner.createTable(
      new Table({
        name: 'account_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'purpose', type: 'varchar', length: '32' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'credential_epoch', type: 'integer' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'created_at', type: date },
          { name: 'expires_at', type: date },
          { name: 'consumed_at', type: date, isNullable: true },
          { name: 'voided_at', type: date, isNullable: true },
        ],
        indices: [
          new TableIndex({ columnNames: ['user_id', 'purpose'] }),
          new TableIndex({ columnNames: ['token_hash'], isUnique: true }),
        ],
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
    await queryRunner.dropTable('account_tokens');
    await queryRunner.dropColumn('users', 'credential_epoch');
    await queryRunner.dropColumn('users', 'email_verified_at');
  }
}
