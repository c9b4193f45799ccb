import { Injectable } from '@nestjs/common';
import { DataSource, MigrationExecutor } from 'typeorm';

/** The database as a whole, for probes: no table of any feature. */
@Injectable()
export class DatabaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One round trip; rejects when no answer came within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the server runs autovacuum (a server-wide setting: no role or database can override it). */
  async autovacuumEnabled(): Promise<boolean> {
    const [{ enabled }] = await this.dataSource.query<{ enabled: boolean }[]>(
      `SELECT current_setting('autovacuum')::boolean AS enabled`,
    );
    return enabled;
  }

  /**
   * The names of this build's migrations the database has not run, oldest first. Reads only: unlike
   * `DataSource.showMigrations()` it creates no migrations table and logs no list.
   */
  async pendingMigrations(): Promise<string[]> {
    const pending = await new MigrationExecutor(this.dataSource).getPendingMigrations();
    return pending.map((migration) => migration.name);
  }
}
