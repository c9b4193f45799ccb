import { getQueueToken } from '@nestjs/bull';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ClassifyProcessor } from '../../src/ml/classify.processor';
import type { JobQueue } from '../../src/queue/job-queue';
import { JobName, QueueName } from '../../src/queue/queue-names';
import { QueueWorker } from '../../src/queue/queue-worker';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Bull on the real Redis, processors in the API process (QUEUE_PROCESS_IN_API=true). */
describe('queues on Bull (real Redis and PostgreSQL)', () => {
  const DATABASE = 'combot_queues_int_test';
  const prefix = `combot-test-${randomUUID().slice(0, 8)}`;
  const ADMIN_KEY = 'queues-admin-key-0123456789';
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());
  const env = {
    REDIS_HOST: '127.0.0.1',
    REDIS_KEY_PREFIX: prefix,
    QUEUE_PROCESS_IN_API: 'true',
    QUEUE_JOB_ATTEMPTS: '3',
    QUEUE_BACKOFF_MS: '50',
    ML_WORKERS: '1',
    ADMIN_API_KEY: ADMIN_KEY,
  };

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, env);
  }, 120_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  it('registers the maintenance schedules at start, even though Redis was still connecting', async () => {
    const queue = testApp.app.get<JobQueue>(getQueueToken(QueueName.Maintenance));
    const repeatable = await waitFor(
      () => queue.getRepeatableJobs(),
      (jobs) => jobs.length === 3,
    );
    expect(repeatable.map((job) => job.name).sort()).toEqual(
      [JobName.AbandonConversations, JobName.MetricsSnapshot, JobName.PurgeJobs].sort(),
    );
  });

  it('runs an async classification to completion and returns its result', async () => {
    const text = 'The courier left my parcel in the rain and it never reached me';
    const accepted = await http().post('/api/ml/classify/async').send({ text }).expect(202);
    expect(accepted.body).toEqual({ jobId: expect.any(String), queue: 'ml' });
    // Read back without a key: an id nobody can guess, not the next number after someone else's job.
    expect(accepted.body.jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const job = await waitFor(
      async () => (await http().get(`/api/jobs/ml/${accepted.body.jobId}`).expect(200)).body,
      (body) => body.state === 'completed' || body.state === 'failed',
    );
    expect(job).toMatchObject({ state: 'completed', name: 'classify', queue: 'ml', failedReason: null });
    expect(job.result).toMatchObject({ label: 'B', model: { id: 'combot-complaint-classifier' } });
  });

  it('retries a job that throws, then fails it with its reason', async () => {
    const queue = testApp.app.get<JobQueue>(getQueueToken(QueueName.Ml));
    let calls = 0;
    // Bull's process() settles only when the queue closes.
    void queue.process('always-fails', 1, () => {
      calls++;
      return Promise.reject(new Error(`flaky dependency (call ${calls})`));
    });
    const job = await queue.add('always-fails', {}, { attempts: 3, backoff: { type: 'exponential', delay: 20 } });
    const view = await waitFor(
      async () =>
        (
          await http()
            .get(`/api/jobs/ml/${String(job.id)}`)
            .expect(200)
        ).body,
      (body) => body.state === 'failed',
    );
    expect(view).toMatchObject({ state: 'failed', attemptsMade: 3, failedReason: 'flaky dependency (call 3)' });
    expect(calls).toBe(3);
  }, 30_000);

  it('discards a permanently bad payload without retrying', async () => {
    // The HTTP route refuses this text before queueing it; the worker still discards such a job from any producer.
    const jobId = await testApp.app.get(ClassifyProcessor).enqueue({ text: '   ' });
    const job = await waitFor(
      async () => (await http().get(`/api/jobs/ml/${jobId}`).expect(200)).body,
      (body) => body.state === 'failed',
    );
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 1, failedReason: 'text must not be empty.' });
    // The stack Bull keeps beside the reason (the queue dashboard shows it) is the line alone: no frames, no paths.
    const stored = await testApp.app.get<JobQueue>(getQueueToken(QueueName.Ml)).getJob(jobId);
    expect((stored as unknown as { stacktrace: string[] }).stacktrace).toEqual(['AppError: text must not be empty.']);
  });

  it('schedules each repeatable job once even when two processes start', async () => {
    const second = await createTestApp('combot_queues_second_test', env);
    try {
      await second.app.get(QueueWorker).schedule();
      await testApp.app.get(QueueWorker).schedule();
      const queue = testApp.app.get<JobQueue>(getQueueToken(QueueName.Maintenance));
      const repeatable = await queue.getRepeatableJobs();
      expect(repeatable.map((job) => job.name).sort()).toEqual(
        [JobName.AbandonConversations, JobName.MetricsSnapshot, JobName.PurgeJobs].sort(),
      );
    } finally {
      await second.app.close();
      await dropTestDatabase('combot_queues_second_test');
    }
  }, 120_000);

  it('answers 404 for an unknown queue or job, and for the maintenance queue, whose jobs are the operator’s', async () => {
    await http().get('/api/jobs/nope/1').expect(404);
    // Whether or not a job has that id: a lookup of the queue is refused, not a search of it.
    const maintenance = await http().get('/api/jobs/maintenance/1').expect(404);
    expect(maintenance.body.code).toBe('QUEUE.UNKNOWN_QUEUE');
    const missing = await http().get('/api/jobs/ml/does-not-exist').expect(404);
    expect(missing.body.code).toBe('QUEUE.JOB_NOT_FOUND');
  });

  it('reports queue counts and a consuming worker in the health report (details with the admin key)', async () => {
    const health = await http().get('/api/health').set('X-Api-Key', ADMIN_KEY).expect(200);
    expect(health.body.info.queues).toMatchObject({ backend: 'bull', durable: true, ml: { consuming: true } });
    expect(health.body.info.redis).toMatchObject({ status: 'up', mode: 'external' });
  });
});
