import { AppConfig } from '../config/app-config';
import type { ClassificationService } from '../ml/classification.service';
import type { JobsService } from '../queue/jobs.service';
import type { QueueWorker } from '../queue/queue-worker';
import type { MetricsSnapshotRepository, NewMetricsSnapshot } from './metrics-snapshot.repository';
import { MetricsSnapshotProcessor } from './metrics-snapshot.processor';

describe('MetricsSnapshotProcessor', () => {
  const build = (env: Record<string, string>) => {
    const calls: string[] = [];
    const stored: NewMetricsSnapshot[] = [];
    const snapshots = {
      insert: jest.fn((snapshot: NewMetricsSnapshot) => {
        calls.push('insert');
        stored.push(snapshot);
        return Promise.resolve('17');
      }),
      removeOlderThan: jest.fn((days: number) => {
        calls.push(`remove ${days}`);
        return Promise.resolve(3);
      }),
    };
    const classification = { status: () => ({ cache: { hits: 1 }, semaphore: { active: 0 }, requests: { total: 2 } }) };
    const jobs = { counts: () => Promise.resolve({ ml: { waiting: 0 } }) };
    const processor = new MetricsSnapshotProcessor(
      new AppConfig(env),
      classification as unknown as ClassificationService,
      jobs as unknown as JobsService,
      snapshots as unknown as MetricsSnapshotRepository,
      {} as QueueWorker,
    );
    return { processor, calls, stored };
  };

  it('stores this process’s vital signs, then removes the snapshots past METRICS_SNAPSHOT_RETENTION_DAYS', async () => {
    const { processor, calls, stored } = build({ METRICS_SNAPSHOT_RETENTION_DAYS: '7' });
    await expect(processor.snapshot()).resolves.toEqual({ id: '17', removed: 3 });
    expect(calls).toEqual(['insert', 'remove 7']);
    expect(stored[0]).toMatchObject({
      pid: process.pid,
      details: { cache: { hits: 1 }, semaphore: { active: 0 }, requests: { total: 2 }, queues: { ml: { waiting: 0 } } },
    });
  });

  it('keeps 30 days of snapshots by default', async () => {
    const { processor, calls } = build({});
    await processor.snapshot();
    expect(calls).toEqual(['insert', 'remove 30']);
  });
});
