import type { AppError } from '../common/app.error';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { JobCounts, JobQueue } from './job-queue';
import { JobsService, QUEUE_COMMAND_TIMEOUT_MS } from './jobs.service';
import { JobName, QueueName } from './queue-names';

const COUNTS: JobCounts = { waiting: 1, active: 2, completed: 3, failed: 4, delayed: 5 };

/** A queue whose counts answer when the test says so, counting how often it was asked. */
function heldQueue(name: string) {
  const held: ((counts: JobCounts) => void)[] = [];
  const queue = {
    name,
    asked: 0,
    getJobCounts: () => {
      queue.asked++;
      return new Promise<JobCounts>((resolve) => held.push(resolve));
    },
    getWorkers: () => Promise.resolve([{}]),
    release: () => held.splice(0).forEach((resolve) => resolve(COUNTS)),
  };
  return queue;
}

describe('JobsService.counts', () => {
  let metrics: MetricsService;
  beforeEach(() => (metrics = new MetricsService()));
  afterEach(() => metrics.onModuleDestroy());

  const service = (ml: ReturnType<typeof heldQueue>, maintenance: ReturnType<typeof heldQueue>) =>
    new JobsService(new AppConfig({}), metrics, ml as unknown as JobQueue, maintenance as unknown as JobQueue);

  it('shares one read of the backend among callers that ask while it is in flight', async () => {
    const ml = heldQueue('ml');
    const maintenance = heldQueue('maintenance');
    const jobs = service(ml, maintenance);
    const first = jobs.counts();
    const second = jobs.counts(1000);
    ml.release();
    maintenance.release();
    await expect(first).resolves.toEqual(await second);
    expect((await first).ml).toEqual({ ...COUNTS, workers: 1 });
    expect([ml.asked, maintenance.asked]).toEqual([1, 1]);
  });

  it('reads the backend again once the shared read has settled', async () => {
    const ml = heldQueue('ml');
    const maintenance = heldQueue('maintenance');
    const jobs = service(ml, maintenance);
    const first = jobs.counts();
    ml.release();
    maintenance.release();
    await first;
    const second = jobs.counts();
    ml.release();
    maintenance.release();
    await second;
    expect([ml.asked, maintenance.asked]).toEqual([2, 2]);
  });
});

describe('JobsService with a backend that never answers (Redis frozen)', () => {
  let metrics: MetricsService;
  beforeEach(() => (metrics = new MetricsService()));
  afterEach(() => {
    metrics.onModuleDestroy();
    jest.useRealTimers();
  });

  const never = () => new Promise<never>(() => undefined);
  const frozen = { add: never, getJob: never, getJobCounts: never, getWorkers: never };
  const jobs = () =>
    new JobsService(new AppConfig({}), metrics, frozen as unknown as JobQueue, frozen as unknown as JobQueue);

  it.each([
    ['adding a job', (service: JobsService) => service.add(QueueName.Ml, JobName.Classify, { text: 'late' })],
    ['reading a job', (service: JobsService) => service.view(QueueName.Ml, '123')],
  ])('answers QUEUE.UNAVAILABLE for %s once the command has waited its bound, instead of hanging', async (_, call) => {
    jest.useFakeTimers();
    const outcome = call(jobs()).then(
      () => 'resolved',
      (error: AppError) => `${error.code} ${error.message}`,
    );
    await jest.advanceTimersByTimeAsync(QUEUE_COMMAND_TIMEOUT_MS - 1);
    let settled: string | null = null;
    void outcome.then((value) => (settled = value));
    await Promise.resolve();
    expect(settled).toBeNull();
    await jest.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('QUEUE.UNAVAILABLE The job queue is unavailable; retry shortly.');
  });
});
