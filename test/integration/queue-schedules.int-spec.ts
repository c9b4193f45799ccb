import { getQueueToken } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { JobQueue } from '../../src/queue/job-queue';
import { JobName, QueueName } from '../../src/queue/queue-names';
import { QueueWorker } from '../../src/queue/queue-worker';
import { appOnPrivateRedis, PrivateRedis } from '../support/private-redis';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const SCHEDULED = [JobName.AbandonConversations, JobName.MetricsSnapshot, JobName.PurgeJobs].sort();

async function scheduleNames(queue: JobQueue): Promise<string[]> {
  return (await queue.getRepeatableJobs()).map((job) => job.name).sort();
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if ((value !== null && done(value)) || Date.now() > deadline) return value as T;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Bull's repeatable schedules on a Redis of the test's own (no persistence), restarted under the running app. */
describe('queue schedules (own Redis, real PostgreSQL)', () => {
  const DATABASE = 'combot_queue_schedules_int_test';
  const redis = new PrivateRedis();
  let testApp: TestApp;
  let maintenance: JobQueue;

  beforeAll(async () => {
    await redis.start();
    testApp = await createTestApp(DATABASE, {
      ...appOnPrivateRedis(redis),
    });
    maintenance = testApp.app.get<JobQueue>(getQueueToken(QueueName.Maintenance));
    await waitFor(
      () => scheduleNames(maintenance),
      (names) => names.length === SCHEDULED.length,
      20_000,
    );
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await redis.stop();
    await dropTestDatabase(DATABASE);
  });

  it('registers the schedules again, with a warning, when Redis comes back empty', async () => {
    expect(await scheduleNames(maintenance)).toEqual(SCHEDULED);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await redis.stop();
      await redis.start();
      const restarted = Date.now();
      const names = await waitFor(
        () => scheduleNames(maintenance),
        (found) => found.length === SCHEDULED.length,
        20_000,
      );
      process.stdout.write(`schedules back ${Date.now() - restarted} ms after Redis restarted empty\n`);
      expect(names).toEqual(SCHEDULED);
      // A schedule is listed as soon as Bull has stored it, before the add that stores it returns and the check
      // that made it logs: wait for the check in flight (a new one would find nothing missing and say nothing).
      await testApp.app.get(QueueWorker).checkSchedules();
      const restored = warn.mock.calls.map(([message]) => String(message)).filter((line) => line.includes('schedule'));
      expect(restored).toHaveLength(1);
      for (const name of SCHEDULED) expect(restored[0]).toContain(name);
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it("replaces another configuration's cron and removes a schedule this configuration turned off", async () => {
    const stale = '*/7 * * * *';
    await testApp.app.get(QueueWorker).schedule();
    for (const job of [JobName.MetricsSnapshot, JobName.DataRetention]) {
      await maintenance.add(job, {}, { repeat: { cron: stale }, jobId: job });
    }
    expect(await scheduleNames(maintenance)).toEqual(
      [...SCHEDULED, JobName.DataRetention, JobName.MetricsSnapshot].sort(),
    );

    await testApp.app.get(QueueWorker).schedule();

    const schedules = await maintenance.getRepeatableJobs();
    expect(schedules.map(({ name, cron }) => ({ name, cron })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: JobName.AbandonConversations, cron: testApp.config.queue.abandonCron },
      { name: JobName.MetricsSnapshot, cron: testApp.config.queue.metricsSnapshotCron },
      { name: JobName.PurgeJobs, cron: testApp.config.queue.purgeCron },
    ]);
    // Removing a schedule also removes its next run, already waiting as a delayed job.
    const delayed = await testApp.app.get<Queue>(getQueueToken(QueueName.Maintenance)).getDelayed();
    expect(
      delayed.filter((job) => job.opts.repeat && 'cron' in job.opts.repeat && job.opts.repeat.cron === stale),
    ).toEqual([]);
  }, 30_000);
});
