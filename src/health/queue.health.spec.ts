import { HealthIndicatorService } from '@nestjs/terminus';
import type { JobCounts } from '../queue/job-queue';
import type { JobsService } from '../queue/jobs.service';
import { QueueHealthIndicator } from './queue.health';

describe('QueueHealthIndicator', () => {
  const counts = (workers: number): JobCounts & { workers: number } => ({
    waiting: 3,
    active: 0,
    completed: 5,
    failed: 0,
    delayed: 1,
    workers,
  });
  function indicator(
    read: () => Promise<Record<string, JobCounts & { workers: number }>>,
    backend: JobsService['backend'] = 'bull',
  ) {
    return new QueueHealthIndicator(new HealthIndicatorService(), { counts: read, backend } as unknown as JobsService);
  }

  it('is up when every queue has a consumer', async () => {
    const result = await indicator(() => Promise.resolve({ ml: counts(1), maintenance: counts(2) })).check();
    expect(result.queues).toEqual({
      status: 'up',
      backend: 'bull',
      durable: true,
      ml: { waiting: 3, active: 0, failed: 0, delayed: 1, consuming: true },
      maintenance: { waiting: 3, active: 0, failed: 0, delayed: 1, consuming: true },
    });
  });

  it('is down, naming the queues, when no process consumes one: its jobs pile up and its schedules never run', async () => {
    const result = await indicator(() => Promise.resolve({ ml: counts(0), maintenance: counts(1) })).check();
    expect(result.queues).toMatchObject({
      status: 'down',
      message: 'no process consumes the ml queue',
      ml: { consuming: false },
      maintenance: { consuming: true },
    });
  });

  it('reports an in-process queue without a consumer but stays up: a CLI process never consumes its own', async () => {
    const result = await indicator(
      () => Promise.resolve({ ml: counts(0), maintenance: counts(0) }),
      'in-process',
    ).check();
    expect(result.queues).toMatchObject({ status: 'up', durable: false, ml: { consuming: false } });
  });

  it('is down when the backend does not answer', async () => {
    const result = await indicator(() => Promise.reject(new Error('no answer within 1500 ms'))).check();
    expect(result.queues).toEqual({ status: 'down', backend: 'bull', message: 'no answer within 1500 ms' });
  });
});
