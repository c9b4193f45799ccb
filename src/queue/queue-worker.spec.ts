import { Logger } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ErrorTranslation } from '../common/error-translation';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { InProcessQueue } from './in-process-queue';
import type { JobLike } from './job-queue';
import { JobsService } from './jobs.service';
import { JobName, QueueName } from './queue-names';
import { QueueWorker, SCHEDULE_CHECK_INTERVAL_MS } from './queue-worker';

const EVERY_MINUTE = '* * * * *';
const EVERY_TWO_MINUTES = '*/2 * * * *';

async function repeatables(queue: InProcessQueue): Promise<{ name: string; cron: string }[]> {
  const jobs = await queue.getRepeatableJobs();
  return jobs.map(({ name, cron }) => ({ name, cron })).sort((a, b) => a.name.localeCompare(b.name));
}

async function settled(queue: InProcessQueue, id: string | number): Promise<JobLike> {
  for (let i = 0; i < 400; i++) {
    const job = await queue.getJob(id);
    const state = await job?.getState();
    if (state === 'completed' || state === 'failed') return job as JobLike;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('job did not settle');
}

describe('QueueWorker', () => {
  let metrics: MetricsService;
  let ml: InProcessQueue;
  let maintenance: InProcessQueue;
  let worker: QueueWorker;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    metrics = new MetricsService();
    ml = new InProcessQueue(QueueName.Ml);
    maintenance = new InProcessQueue(QueueName.Maintenance);
    const config = new AppConfig({});
    const translation = new ErrorTranslation();
    // As the database adapter translates its driver's outage errors.
    translation.add((error) =>
      error instanceof Error && error.message.startsWith('connect ECONNREFUSED')
        ? new AppError(ErrorCode.DbUnavailable, 'The database is unavailable; retry shortly.')
        : undefined,
    );
    worker = new QueueWorker(config, new JobsService(config, metrics, ml, maintenance), translation, 'worker');
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    worker.onApplicationShutdown();
    await Promise.all([ml.close(), maintenance.close()]);
    metrics.onModuleDestroy();
    warn.mockRestore();
    jest.useRealTimers();
  });

  const warnings = (): string[] => warn.mock.calls.map(([message]) => String(message));

  const scheduled = (job: JobName, cron?: string): void =>
    worker.register({ queue: QueueName.Maintenance, job, concurrency: 1, cron, handle: () => Promise.resolve(null) });

  describe('schedule', () => {
    it("replaces a schedule whose cron changed and removes one this configuration no longer schedules, leaving other jobs' alone", async () => {
      // Left by an earlier configuration: other crons, and retention when it was on.
      await maintenance.add(
        JobName.MetricsSnapshot,
        {},
        { repeat: { cron: EVERY_TWO_MINUTES }, jobId: JobName.MetricsSnapshot },
      );
      await maintenance.add(
        JobName.DataRetention,
        {},
        { repeat: { cron: EVERY_TWO_MINUTES }, jobId: JobName.DataRetention },
      );
      await maintenance.add('not-ours', {}, { repeat: { cron: EVERY_TWO_MINUTES } });
      scheduled(JobName.MetricsSnapshot, EVERY_MINUTE);
      scheduled(JobName.DataRetention);

      await worker.schedule();

      expect(await repeatables(maintenance)).toEqual([
        { name: JobName.MetricsSnapshot, cron: EVERY_MINUTE },
        { name: 'not-ours', cron: EVERY_TWO_MINUTES },
      ]);
    });

    it('gives each scheduled run the configured attempts, retried 30 s and then 60 s later, not skipped to its next slot', async () => {
      const add = jest.spyOn(JobsService.prototype, 'add');
      scheduled(JobName.DataRetention, EVERY_MINUTE);
      await worker.schedule();
      const options = add.mock.calls.find(([, job]) => job === JobName.DataRetention)?.[3];
      expect(options).toEqual({
        repeat: { cron: EVERY_MINUTE },
        jobId: JobName.DataRetention,
        backoff: { type: 'exponential', delay: 30_000 },
      });
      add.mockRestore();
    });

    it('registers each schedule once however often it runs', async () => {
      scheduled(JobName.PurgeJobs, EVERY_MINUTE);
      await worker.schedule();
      await worker.schedule();
      expect(await repeatables(maintenance)).toEqual([{ name: JobName.PurgeJobs, cron: EVERY_MINUTE }]);
    });
  });

  describe('checkSchedules', () => {
    it('restores schedules that disappeared from the queue, with one warning', async () => {
      scheduled(JobName.PurgeJobs, EVERY_MINUTE);
      scheduled(JobName.AbandonConversations, EVERY_MINUTE);
      await worker.schedule();
      for (const { key } of await maintenance.getRepeatableJobs()) await maintenance.removeRepeatableByKey(key);

      await worker.checkSchedules();

      expect(await repeatables(maintenance)).toEqual([
        { name: JobName.AbandonConversations, cron: EVERY_MINUTE },
        { name: JobName.PurgeJobs, cron: EVERY_MINUTE },
      ]);
      const restored = warnings().filter((line) => line.includes('schedule'));
      expect(restored).toHaveLength(1);
      expect(restored[0]).toContain(`${JobName.PurgeJobs}`);
      expect(restored[0]).toContain(`${JobName.AbandonConversations}`);
    });

    it('says nothing and changes nothing while the schedules are there, even under another process’s cron', async () => {
      scheduled(JobName.PurgeJobs, EVERY_MINUTE);
      await worker.schedule();
      // The last process to start, with another cron, replaced ours: a periodic check must not fight it.
      const [ours] = await maintenance.getRepeatableJobs();
      await maintenance.removeRepeatableByKey(ours.key);
      await maintenance.add(JobName.PurgeJobs, {}, { repeat: { cron: EVERY_TWO_MINUTES }, jobId: JobName.PurgeJobs });

      await worker.checkSchedules();

      expect(await repeatables(maintenance)).toEqual([{ name: JobName.PurgeJobs, cron: EVERY_TWO_MINUTES }]);
      expect(warnings()).toEqual([]);
    });

    it('runs every SCHEDULE_CHECK_INTERVAL_MS once the schedules are registered', async () => {
      jest.useFakeTimers();
      scheduled(JobName.PurgeJobs, EVERY_MINUTE);
      worker.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(await repeatables(maintenance)).toHaveLength(1);
      for (const { key } of await maintenance.getRepeatableJobs()) await maintenance.removeRepeatableByKey(key);

      await jest.advanceTimersByTimeAsync(SCHEDULE_CHECK_INTERVAL_MS);

      expect(await repeatables(maintenance)).toEqual([{ name: JobName.PurgeJobs, cron: EVERY_MINUTE }]);
    });
  });

  describe('a failed attempt', () => {
    it("logs one warning naming the job, its id, the attempt and the error's message, never the job's data", async () => {
      worker.register({
        queue: QueueName.Ml,
        job: JobName.Classify,
        concurrency: 1,
        handle: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      });
      worker.startProcessing();
      const { id } = await ml.add(JobName.Classify, { text: 'my private complaint' }, { attempts: 3 });
      await settled(ml, id);
      await worker.checkSchedules();

      const lines = warnings().filter((line) => line.includes(`#${String(id)}`) && line.includes('attempt'));
      expect(lines).toEqual([
        `job ${QueueName.Ml}:${JobName.Classify}#${String(id)} attempt 1 of 3 failed: connect ECONNREFUSED 127.0.0.1:5432`,
      ]);
      expect(warnings().join('\n')).not.toContain('my private complaint');
    });

    it('keeps as the failure reason (shown by GET /api/jobs/:queue/:id) a coded message, never a driver’s text', async () => {
      const failures: Record<string, Error> = {
        bug: new Error('relation "metrics_snapshot" does not exist'),
        outage: new Error('connect ECONNREFUSED 127.0.0.1:5432'),
        coded: new AppError(ErrorCode.MlInvalidText, 'text must not be empty.'),
      };
      worker.register({
        queue: QueueName.Ml,
        job: JobName.Classify,
        concurrency: 1,
        handle: (job) => Promise.reject(failures[(job.data as { failure: string }).failure]),
      });
      worker.startProcessing();
      const reasons: Record<string, string | undefined> = {};
      for (const failure of Object.keys(failures)) {
        const { id } = await ml.add(JobName.Classify, { failure }, { attempts: 1 });
        reasons[failure] = (await settled(ml, id)).failedReason;
      }
      expect(reasons).toEqual({
        bug: 'The job failed; the service log has the cause.',
        outage: 'The database is unavailable; retry shortly.',
        coded: 'text must not be empty.',
      });
      // The log keeps what happened.
      expect(warnings().join('\n')).toContain('relation "metrics_snapshot" does not exist');
    });
  });

  describe('stopProcessing', () => {
    it('takes no new job and resolves once the active ones have finished', async () => {
      const releases: (() => void)[] = [];
      const started: string[] = [];
      worker.register({
        queue: QueueName.Ml,
        job: JobName.Classify,
        concurrency: 1,
        handle: (job) => {
          started.push(String(job.id));
          return new Promise((resolve) => releases.push(() => resolve('done')));
        },
      });
      worker.startProcessing();
      const first = await ml.add(JobName.Classify, {});
      await ml.add(JobName.Classify, {});
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toEqual([String(first.id)]);

      let stopped: boolean | null = null;
      const stopping = worker.stopProcessing(5_000).then((drained) => (stopped = drained));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).toBeNull();
      releases[0]();
      await stopping;

      expect(stopped).toBe(true);
      expect(await (await ml.getJob(first.id))?.getState()).toBe('completed');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(started).toEqual([String(first.id)]);
      expect(await ml.getJobCounts()).toMatchObject({ waiting: 1, active: 0, completed: 1 });
    });

    it('gives up waiting after the timeout', async () => {
      worker.register({
        queue: QueueName.Ml,
        job: JobName.Classify,
        concurrency: 1,
        handle: () => new Promise(() => undefined),
      });
      worker.startProcessing();
      await ml.add(JobName.Classify, {});
      await new Promise((resolve) => setImmediate(resolve));
      const started = Date.now();
      await expect(worker.stopProcessing(50)).resolves.toBe(false);
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });
});
