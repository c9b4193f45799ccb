import { DataSource } from 'typeorm';
import { MetricsSnapshotEntity } from '../../src/performance/metrics-snapshot.entity';
import { MetricsSnapshotRepository } from '../../src/performance/metrics-snapshot.repository';
import { closeChatDatabase, openChatDatabase } from '../support/chat-database';
import { recreateTestDatabase } from '../support/test-database';

/** The periodic vital-signs records: written once a minute, so they must also age out (real PostgreSQL). */
describe('MetricsSnapshotRepository (real PostgreSQL)', () => {
  const DATABASE = 'combot_metrics_snapshot_int_test';
  let dataSource: DataSource;
  let snapshots: MetricsSnapshotRepository;

  const snapshot = { host: 'api-1', pid: 4242, rssBytes: '123456789', heapUsedBytes: '4567890', details: { a: 1 } };

  /** A row as if written `daysAgo` days ago. */
  const backdate = (id: string, daysAgo: number): Promise<unknown> =>
    dataSource.query(`UPDATE metrics_snapshot SET taken_at = now() - make_interval(days => $2) WHERE id = $1`, [
      id,
      daysAgo,
    ]);

  const remaining = async (): Promise<string[]> =>
    (await dataSource.query<{ id: string }[]>('SELECT id::text AS id FROM metrics_snapshot ORDER BY id')).map(
      (row) => row.id,
    );

  beforeAll(async () => {
    dataSource = await openChatDatabase(await recreateTestDatabase(DATABASE), [MetricsSnapshotEntity]);
    snapshots = new MetricsSnapshotRepository(dataSource.getRepository(MetricsSnapshotEntity));
  }, 60_000);

  beforeEach(() => dataSource.query('TRUNCATE metrics_snapshot RESTART IDENTITY'));

  afterAll(() => closeChatDatabase(dataSource, DATABASE));

  it('stores a snapshot with the time the database gives it and returns its id', async () => {
    const id = await snapshots.insert(snapshot);
    const [row] = await dataSource.query<Record<string, unknown>[]>(
      `SELECT host, pid, rss_bytes::text AS rss, heap_used_bytes::text AS heap, details,
              now() - taken_at < interval '1 minute' AS recent
         FROM metrics_snapshot WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({
      host: 'api-1',
      pid: 4242,
      rss: '123456789',
      heap: '4567890',
      details: { a: 1 },
      recent: true,
    });
  });

  it('removes the snapshots older than the retention and keeps the rest', async () => {
    const ids: string[] = [];
    for (const daysAgo of [40, 31, 29, 1, 0]) {
      const id = await snapshots.insert(snapshot);
      await backdate(id, daysAgo);
      ids.push(id);
    }

    await expect(snapshots.removeOlderThan(30)).resolves.toBe(2);
    await expect(remaining()).resolves.toEqual(ids.slice(2));
    await expect(snapshots.removeOlderThan(30)).resolves.toBe(0);
    await expect(snapshots.removeOlderThan(1)).resolves.toBe(2);
    await expect(remaining()).resolves.toEqual(ids.slice(4));
  });

  it('finds the old snapshots through an index on their time, not by reading the whole table', async () => {
    await dataSource.query(
      `INSERT INTO metrics_snapshot (taken_at, host, pid, rss_bytes, heap_used_bytes, details)
       SELECT now() - make_interval(mins => n), 'api-1', 1, 1, 1, '{}'::jsonb FROM generate_series(1, 20000) AS n`,
    );
    await dataSource.query('ANALYZE metrics_snapshot');
    const plan = (
      await dataSource.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN DELETE FROM metrics_snapshot WHERE taken_at < now() - make_interval(days => 13)`,
      )
    )
      .map((line) => line['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(
      /Index (Only )?Scan using idx_metrics_snapshot_taken_at|Bitmap Index Scan on idx_metrics_snapshot_taken_at/,
    );
  });
});
