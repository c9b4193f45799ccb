import { InProcessQueue } from './in-process-queue';
import type { JobLike } from './job-queue';

async function settled(queue: InProcessQueue, id: string | number): Promise<JobLike> {
  for (let i = 0; i < 200; i++) {
    const job = await queue.getJob(id);
    const state = await job?.getState();
    if (state === 'completed' || state === 'failed') return job as JobLike;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('job did not settle');
}

describe('InProcessQueue', () => {
  let queue: InProcessQueue;
  beforeEach(() => (queue = new InProcessQueue('test')));
  afterEach(() => queue.close());

  it('runs a job with its processor and keeps the result', async () => {
    void queue.process('double', 1, (job) => Promise.resolve((job.data as { n: number }).n * 2));
    const { id } = await queue.add('double', { n: 21 });
    const job = await settled(queue, id);
    expect(job.returnvalue).toBe(42);
    expect(await queue.getJobCounts()).toMatchObject({ completed: 1, waiting: 0, active: 0 });
  });

  it('retries with backoff, then fails with the last reason', async () => {
    let calls = 0;
    void queue.process('flaky', 1, () => Promise.reject(new Error(`boom ${++calls}`)));
    const { id } = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 1 } });
    const job = await settled(queue, id);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('boom 3');
  });

  it('does not retry a discarded job', async () => {
    void queue.process('bad', 1, (job) => {
      job.discard();
      return Promise.reject(new Error('bad payload'));
    });
    const { id } = await queue.add('bad', {}, { attempts: 5 });
    expect((await settled(queue, id)).attemptsMade).toBe(1);
  });

  it('never runs more jobs of a name at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    void queue.process('slow', 2, async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    const ids = await Promise.all(Array.from({ length: 6 }, () => queue.add('slow', {})));
    await Promise.all(ids.map(({ id }) => settled(queue, id)));
    expect(peak).toBe(2);
  });

  it('registers a repeatable job once per name and cron', async () => {
    await queue.add('tick', {}, { repeat: { cron: '* * * * *' }, jobId: 'tick' });
    await queue.add('tick', {}, { repeat: { cron: '* * * * *' }, jobId: 'tick' });
    expect(await queue.getRepeatableJobs()).toHaveLength(1);
  });

  it('stops running a repeatable job removed by its key', async () => {
    jest.useFakeTimers();
    try {
      const ran: string[] = [];
      void queue.process('tick', 1, (job) => Promise.resolve(ran.push(job.name)));
      await queue.add('tick', {}, { repeat: { cron: '* * * * *' }, jobId: 'tick' });
      const [{ key }] = await queue.getRepeatableJobs();
      await queue.removeRepeatableByKey(key);
      await jest.advanceTimersByTimeAsync(120_000);
      expect(ran).toEqual([]);
      expect(await queue.getRepeatableJobs()).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('pause starts no new job and resolves once the active ones have finished', async () => {
    let release = (): void => undefined;
    void queue.process('held', 1, () => new Promise<void>((resolve) => (release = resolve)));
    const first = await queue.add('held', {});
    const second = await queue.add('held', {});
    let paused = false;
    const pausing = queue.pause(true).then(() => (paused = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(paused).toBe(false);
    release();
    await pausing;
    expect(await (await queue.getJob(first.id))?.getState()).toBe('completed');
    expect(await (await queue.getJob(second.id))?.getState()).toBe('waiting');
  });

  it('keeps at most removeOnComplete finished jobs', async () => {
    void queue.process('x', 1, () => Promise.resolve(1));
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await queue.add('x', {}, { removeOnComplete: 2 })).id);
    await settled(queue, ids[3]);
    expect((await queue.getJobCounts()).completed).toBe(2);
  });
});
