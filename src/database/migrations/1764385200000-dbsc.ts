import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

/** Device Bound Session Credentials: a session's registered public key, and single-use challenges. */
export class Dbsc1764385200000 implements MigrationInterface {
  name = 'Dbsc1764385200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'dbsc_key', type: 'varchar', length: '2048', isNullable: true }),
      new TableColumn({ name: 'dbsc_alg', type: 'varchar', length: '8', isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'dbsc_challenges',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36' },
          { name: 'expires_at', type: dateType(queryRunner) },
        ],
        indices: [new TableIndex({ columnNames: ['session_id'] })],
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('dbsc_challenges');
    await queryRunner.dropColumn('sessions', 'dbsc_alg');
    await queryRunner.dropColumn('sessions', 'dbsc_key');
  }
}
