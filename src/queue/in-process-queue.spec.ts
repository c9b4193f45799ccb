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

  it('waits for a schedule more than 24.8 days away (past the longest timer) instead of running it at once', async () => {
    // A monthly or yearly cron: one setTimeout for the whole wait would overflow and fire after 1 ms, again and again.
    jest.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    try {
      const ran: number[] = [];
      void queue.process('yearly', 1, () => Promise.resolve(ran.push(Date.now())));
      await queue.add('yearly', {}, { repeat: { cron: '0 0 1 1 *' }, jobId: 'yearly' });
      await jest.advanceTimersByTimeAsync(60 * 86_400_000);
      expect(ran).toEqual([]);
      await jest.advanceTimersByTimeAsync(Date.parse('2027-01-01T00:00:00Z') - Date.now());
      expect(ran).toEqual([Date.parse('2027-01-01T00:00:00Z')]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits a backoff longer than the longest timer in full, instead of retrying at once', async () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      void queue.process('flaky', 1, () => Promise.reject(new Error(`boom ${++calls}`)));
      const day = 86_400_000;
      await queue.add('flaky', {}, { attempts: 2, backoff: { type: 'exponential', delay: 30 * day } });
      await jest.advanceTimersByTimeAsync(29 * day);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(day);
      expect(calls).toBe(2);
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
