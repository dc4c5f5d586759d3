import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { dateType } from '../../common/database/column-types';

/** The notes table (src/notes/note.entity.ts); the Table API and dateType() serve SQLite and PostgreSQL alike. */
export class Notes1796025600000 implements MigrationInterface {
  name = 'Notes1796025600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const date = dateType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'notes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'owner_id', type: 'varchar', length: '36' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: date },
          { name: 'updated_at', type: date },
        ],
        indices: [
          new TableIndex({ columnNames: ['owner_id', 'created_at', 'id'] }),
          new TableIndex({ columnNames: ['created_at', 'id'] }),
        ],
        foreignKeys: [
          {
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notes');
  }
}
