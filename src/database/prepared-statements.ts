import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Hot-path statements as named prepared statements on the pool TypeORM already holds: PostgreSQL parses and plans
 * each once per connection instead of on every call, and no query runner is set up around it. Only for fixed SQL
 * text (the name is a hash of it); errors are the driver's own, as with `DataSource.query`.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  async query<T>(text: string, values: unknown[]): Promise<T[]> {
    let name = this.names.get(text);
    if (!name) {
      name = `combot_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      this.names.set(text, name);
    }
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const result = await pool.query({ name, text, values });
    return result.rows as T[];
  }
}
