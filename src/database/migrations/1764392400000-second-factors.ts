import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

const userForeignKey = {
  columnNames: ['user_id'],
  referencedTableName: 'users',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
};

/** Second factors (TOTP, recovery codes, passkeys), the challenges between login steps, and how a session authenticated. */
export class SecondFactors1764392400000 implements MigrationInterface {
  name = 'SecondFactors1764392400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'totp_factors',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'secret', type: 'varchar', length: '64' },
          { name: 'confirmed_at', type: date, isNullable: true },
          { name: 'last_used_step', type: 'integer', isNullable: true },
          { name: 'created_at', type: date },
        ],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'used_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          { name: 'id', type: 'varchar', length: '1400', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'public_key', type: 'text' },
          { name: 'counter', type: 'integer' },
          { name: 'transports', type: 'text' },
          { name: 'created_at', type: date },
          { name: 'last_used_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'auth_challenges',
        columns: [
          { name: 'handle_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '32' },
          { name: 'user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'transport', type: 'varchar', length: '8' },
          { name: 'binding', type: 'varchar', length: '64' },
          { name: 'session_epoch', type: 'integer', isNullable: true },
          { name: 'webauthn_challenge', type: 'varchar', length: '128', isNullable: true },
          { name: 'failures', type: 'integer', default: 0 },
          { name: 'expires_at', type: date },
          { name: 'consumed_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['expires_at'] })],
      }),
    );
    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'amr', type: 'text', isNullable: true }),
      new TableColumn({ name: 'authenticated_at', type: date, isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'authenticated_at');
    await queryRunner.dropColumn('sessions', 'amr');
    await queryRunner.dropTable('auth_challenges');
    await queryRunner.dropTable('passkeys');
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropTable('totp_factors');
  }
}
