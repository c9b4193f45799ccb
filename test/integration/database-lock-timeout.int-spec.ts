import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { typeormOptions } from '../../src/database/typeorm-options';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

/**
 * A migration that waits for a table's lock queues every later statement on that table behind it: with
 * DB_LOCK_TIMEOUT_MS it gives up after that long (the Job retries) instead of stalling the live service for as
 * long as its statement timeout allows.
 */
describe('DB_LOCK_TIMEOUT_MS (real PostgreSQL)', () => {
  const DATABASE = 'combot_lock_timeout_test';
  let url: string;
  let holder: Client;

  beforeAll(async () => {
    url = await recreateTestDatabase(DATABASE);
    holder = new Client({ connectionString: url });
    await holder.connect();
    await holder.query('CREATE TABLE busy (id int)');
  }, 60_000);

  afterAll(async () => {
    await holder.end();
    await dropTestDatabase(DATABASE);
  });

  /** How a DDL statement ends while another session holds the table, and after how long. */
  async function alterWhileLocked(env: Record<string, string>): Promise<{ code: string | undefined; ms: number }> {
    const dataSource = new DataSource({ ...typeormOptions(new AppConfig(env), url), logging: false });
    await dataSource.initialize();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE busy IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    try {
      await dataSource.query('ALTER TABLE busy ADD COLUMN extra int');
      return { code: undefined, ms: Date.now() - started };
    } catch (error) {
      const driver = (error as { driverError?: { code?: string } }).driverError;
      return { code: driver?.code, ms: Date.now() - started };
    } finally {
      await holder.query('ROLLBACK');
      await dataSource.destroy();
    }
  }

  it('gives up waiting for a lock after DB_LOCK_TIMEOUT_MS (lock_not_available), well before the statement timeout', async () => {
    const { code, ms } = await alterWhileLocked({ DB_LOCK_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: '20000' });
    expect(code).toBe('55P03');
    expect(ms).toBeLessThan(5000);
  });

  it('waits up to the statement timeout when it is not set', async () => {
    const { code } = await alterWhileLocked({ DB_STATEMENT_TIMEOUT_MS: '500' });
    expect(code).toBe('57014');
  });
});
