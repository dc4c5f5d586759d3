import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The CLI's database opens without running migrations (the server runs them at start-up), so read-only
 * commands leave a database exactly as they found it. Commands that change keys or users migrate first.
 */
@Injectable()
export class CliDatabase {
  constructor(private readonly dataSource: DataSource) {}

  async migrate(): Promise<void> {
    await this.dataSource.runMigrations({ transaction: 'each' });
  }

  /** False on a database Warden never started on: read-only commands report "nothing" instead of creating it. */
  async hasTable(name: string): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await runner.hasTable(name);
    } finally {
      await runner.release();
    }
  }
}
