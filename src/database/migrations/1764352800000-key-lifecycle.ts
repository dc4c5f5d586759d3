import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The database, not the application, guarantees at most one active and one next signing key: two instances
 * booting or rotating at once cannot both win. Partial unique indexes work alike on SQLite and PostgreSQL.
 */
export class KeyLifecycle1764352800000 implements MigrationInterface {
  name = 'KeyLifecycle1764352800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'signing_keys',
      new TableIndex({
        name: 'signing_keys_one_active',
        columnNames: ['state'],
        isUnique: true,
        where: "state = 'active'",
      }),
    );
    await queryRunner.createIndex(
      'signing_keys',
      new TableIndex({
        name: 'signing_keys_one_next',
        columnNames: ['state'],
        isUnique: true,
        where: "state = 'next'",
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('signing_keys', 'signing_keys_one_next');
    await queryRunner.dropIndex('signing_keys', 'signing_keys_one_active');
  }
}
