import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Sessions remember the device they began on; sessions from before have no binding and cannot refresh. */
export class DeviceBinding1764370800000 implements MigrationInterface {
  name = 'DeviceBinding1764370800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'fingerprint_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'user_agent_family', type: 'varchar', length: '64', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'user_agent_family');
    await queryRunner.dropColumn('sessions', 'fingerprint_hash');
  }
}
