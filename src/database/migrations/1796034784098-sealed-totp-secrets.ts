import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Written by `npm run migration:generate -- SealedTotpSecrets` from the entities: TypeORM's SQL for each
 * database Warden runs on (better-sqlite3 takes the else branch). An edit goes into both branches.
 *
 * TOTP secrets are now sealed (TotpSecrets), which takes more room; the app seals the existing ones at
 * start-up, since a migration has no KEY_ENCRYPTION_KEY. Edited: TypeORM wrote PostgreSQL's length change as
 * DROP COLUMN + ADD, which would have lost every secret. Reverting cannot unseal (no key here): on
 * PostgreSQL it stops while a sealed secret is stored; SQLite keeps the sealed values, which a build before
 * this one cannot read (its users would enrol their authenticator apps again).
 */
export class SealedTotpSecrets1796034784098 implements MigrationInterface {
  name = 'SealedTotpSecrets1796034784098';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query(`ALTER TABLE "totp_factors" ALTER COLUMN "secret" TYPE character varying(128)`);
    } else {
      // Renames leave other tables' foreign keys alone (https://www.sqlite.org/lang_altertable.html#compatibility).
      await queryRunner.query(`PRAGMA legacy_alter_table = ON`);
      await queryRunner.query(
        `CREATE TABLE "temporary_totp_factors" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "secret" varchar(128) NOT NULL, "confirmed_at" datetime, "last_used_step" integer, "created_at" datetime NOT NULL, CONSTRAINT "FK_eded11141800ddff9dfbd017fd2" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
      );
      await queryRunner.query(
        `INSERT INTO "temporary_totp_factors"("user_id", "secret", "confirmed_at", "last_used_step", "created_at") SELECT "user_id", "secret", "confirmed_at", "last_used_step", "created_at" FROM "totp_factors"`,
      );
      await queryRunner.query(`DROP TABLE "totp_factors"`);
      await queryRunner.query(`ALTER TABLE "temporary_totp_factors" RENAME TO "totp_factors"`);
      await queryRunner.query(`PRAGMA legacy_alter_table = OFF`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      // Fails while a sealed secret is stored: shortening the column would cut it.
      await queryRunner.query(`ALTER TABLE "totp_factors" ALTER COLUMN "secret" TYPE character varying(64)`);
    } else {
      // Renames leave other tables' foreign keys alone (https://www.sqlite.org/lang_altertable.html#compatibility).
      await queryRunner.query(`PRAGMA legacy_alter_table = ON`);
      await queryRunner.query(`ALTER TABLE "totp_factors" RENAME TO "temporary_totp_factors"`);
      await queryRunner.query(
        `CREATE TABLE "totp_factors" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "secret" varchar(64) NOT NULL, "confirmed_at" datetime, "last_used_step" integer, "created_at" datetime NOT NULL, CONSTRAINT "FK_eded11141800ddff9dfbd017fd2" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
      );
      await queryRunner.query(
        `INSERT INTO "totp_factors"("user_id", "secret", "confirmed_at", "last_used_step", "created_at") SELECT "user_id", "secret", "confirmed_at", "last_used_step", "created_at" FROM "temporary_totp_factors"`,
      );
      await queryRunner.query(`DROP TABLE "temporary_totp_factors"`);
      await queryRunner.query(`PRAGMA legacy_alter_table = OFF`);
    }
  }
}
