import Bull from 'bull';
import { randomUUID } from 'node:crypto';
import { JobName, QueueName } from '../../src/queue/queue-names';
import { deleteKeys } from '../support/redis-keys';
import { startService, stopService, type ServiceProcess } from '../support/service-process';
import { configuredStudyFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

const REDIS = { host: '127.0.0.1', port: 6379 };
const JOBS = 1500;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A SIGTERM to the built worker lets the classifications in flight finish: none fails, none burns an attempt. */
describe('queue worker shutdown (built worker, real PostgreSQL and Redis)', () => {
  const DATABASE = 'combot_worker_drain_test';
  const redisPrefix = `combot-test-${randomUUID().slice(0, 8)}`;
  const workers: ServiceProcess[] = [];
  // Opened in beforeAll, not here: a run whose -t filter skips every test here skips the hooks too, and a queue
  // opened at collection time would then keep its Redis connections, and Jest, alive.
  let queue: Bull.Queue;
  let env: Record<string, string>;

  beforeAll(async () => {
    queue = new Bull(QueueName.Ml, { prefix: `${redisPrefix}:bull`, redis: REDIS });
    env = {
      DATABASE_URL: await recreateTestDatabase(DATABASE),
      DB_MIGRATE_ON_START: 'true',
      REDIS_HOST: REDIS.host,
      REDIS_KEY_PREFIX: redisPrefix,
      ML_WORKERS: '1',
      QUEUE_CLASSIFY_CONCURRENCY: '4',
      SHUTDOWN_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'warn',
      STUDY_CONTENT_FILE: configuredStudyFile(),
    };
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) await stopService(worker, 25_000);
    await queue?.close();
    await deleteKeys(REDIS, redisPrefix);
    await dropTestDatabase(DATABASE);
  });

  const completedJobs = async (): Promise<Bull.Job[]> => queue.getCompleted(0, -1);

  it('finishes its active jobs on SIGTERM, exits 0, and leaves the waiting ones to the next worker', async () => {
    // The options JobsService gives every job: retries with backoff, so a failed attempt would show as delayed.
    await queue.addBulk(
      Array.from({ length: JOBS }, (_, i) => ({
        name: JobName.Classify,
        data: { text: `The courier lost parcel number ${i} ${randomUUID()} and nobody answers my e-mails` },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
    const first = startService(env, 'dist/src/worker.js');
    workers.push(first);

    const busy = await waitFor(
      () => queue.getJobCounts(),
      (counts) => counts.completed >= 50 && counts.active > 0,
      90_000,
    );
    expect(busy.active).toBeGreaterThan(0);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    // A second signal during the drain is ignored, not a hard stop.
    setTimeout(() => first.child.kill('SIGTERM'), 5).unref();
    const code = await first.exited;
    const drainMs = Date.now() - signalled;
    const afterFirst = await queue.getJobCounts();
    process.stdout.write(
      `worker drained ${busy.active} active job(s) (concurrency 4) and exited in ${drainMs} ms; ${afterFirst.completed} of ${JOBS} done, ${afterFirst.active} left active\n`,
    );

    expect({ code, signal: first.child.signalCode }).toEqual({ code: 0, signal: null });
    expect(afterFirst).toMatchObject({ failed: 0, delayed: 0 });
    expect(afterFirst.waiting + afterFirst.active).toBe(JOBS - afterFirst.completed);
    // Bull fetches a worker's next job in the same step that completes one; a job that completes as the pause begins
    // thus brings in one more, locked to this worker, which then sits unprocessed until the process exits (Bull's
    // local pause; BullMQ issue #1479 describes the same). At most one per concurrency slot; the next worker runs it
    // once its lock expires (QUEUE_LOCK_DURATION_MS), as a stalled job, spending no attempt (checked below).
    expect(afterFirst.active).toBeLessThanOrEqual(4);
    expect((await completedJobs()).filter((job) => job.attemptsMade > 0)).toEqual([]);
    expect(first.output()).not.toMatch(/model is being unloaded|failed:/);

    const second = startService(env, 'dist/src/worker.js');
    workers.push(second);
    const final = await waitFor(
      () => queue.getJobCounts(),
      (counts) => counts.completed === JOBS,
      120_000,
    );
    expect(final).toMatchObject({ completed: JOBS, active: 0, waiting: 0, failed: 0, delayed: 0 });
    expect((await completedJobs()).filter((job) => job.attemptsMade > 0)).toEqual([]);
  }, 240_000);

  it('exits 1 when its active jobs outlast SHUTDOWN_TIMEOUT_MS: a supervisor must see a drain that did not finish', async () => {
    // The jobs made active below must be this worker's alone.
    for (const worker of workers.splice(0)) await stopService(worker, 25_000);
    await queue.addBulk(
      Array.from({ length: 200 }, (_, i) => ({
        name: JobName.Classify,
        data: { text: `My order ${i} ${randomUUID()} came without the charger and the box was open` },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
    const impatient = startService({ ...env, SHUTDOWN_TIMEOUT_MS: '0' }, 'dist/src/worker.js');
    workers.push(impatient);
    const busy = await waitFor(
      () => queue.getJobCounts(),
      (counts) => counts.active > 0,
      90_000,
    );
    expect(busy.active).toBeGreaterThan(0);
    impatient.child.kill('SIGTERM');
    const code = await impatient.exited;

    expect({ code, signal: impatient.child.signalCode }).toEqual({ code: 1, signal: null });
    expect(impatient.output()).toMatch(/jobs still active after 0 ms/);
    expect((await queue.getJobCounts()).failed).toBe(0);
  }, 120_000);
});
