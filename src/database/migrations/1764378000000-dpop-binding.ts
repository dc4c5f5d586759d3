import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** A session that logged in with a DPoP proof remembers its key's thumbprint: its refreshes must prove it. */
export class DpopBinding1764378000000 implements MigrationInterface {
  name = 'DpopBinding1764378000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'dpop_jkt');
  }
}
