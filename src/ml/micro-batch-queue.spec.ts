import { AppConfig, ConfigValidationError } from '../config/app-config';
import { MicroBatchOptions, MicroBatchQueue, splitResults } from './micro-batch-queue';

interface TestTask {
  name: string;
  texts: string[];
}

/** A task named for the assertions; its texts are `length` characters long. */
function task(name: string, length: number, texts = 1): TestTask {
  return { name, texts: Array.from({ length: texts }, () => 'x'.repeat(length)) };
}

describe('MicroBatchQueue.remove', () => {
  it('takes a queued task out, and says false for one no longer queued', () => {
    const queue = new MicroBatchQueue<{ texts: string[] }>({ max: 1, waitMs: 0, maxAgeMs: 0 }, () => undefined);
    const [a, b, c] = [{ texts: ['a'] }, { texts: ['b'] }, { texts: ['c'] }];
    queue.push(a);
    queue.push(b);
    queue.push(c);
    expect(queue.remove(b)).toBe(true);
    expect(queue.size).toBe(2);
    expect(queue.take()).toEqual([a]);
    expect(queue.remove(a)).toBe(false);
    expect(queue.take()).toEqual([c]);
    expect(queue.take()).toBeNull();
  });
});

describe('MicroBatchQueue', () => {
  let clock: number;
  let wakes: number;

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
    wakes = 0;
  });
  afterEach(() => jest.useRealTimers());

  function queue(options: Partial<MicroBatchOptions>): MicroBatchQueue<TestTask> {
    return new MicroBatchQueue<TestTask>(
      { max: 8, waitMs: 2, maxAgeMs: 50, ...options },
      () => wakes++,
      () => clock,
    );
  }

  /** The injected clock and the fake timers move together. */
  function advance(ms: number): void {
    clock += ms;
    jest.advanceTimersByTime(ms);
  }

  function names(batch: TestTask[] | null): string[] | null {
    return batch && batch.map((t) => t.name);
  }

  it('off (max 1): FIFO, one task per batch, never waits', () => {
    const q = queue({ max: 1, waitMs: 100 });
    q.push(task('a', 50));
    q.push(task('b', 5, 3));
    q.push(task('c', 49));
    expect(q.enabled).toBe(false);
    expect([names(q.take()), names(q.take()), names(q.take()), q.take()]).toEqual([['a'], ['b'], ['c'], null]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('always leads with the oldest task, however far its length is from the others', () => {
    const q = queue({ max: 4 });
    for (const [name, length] of [
      ['t50', 50],
      ['t5', 5],
      ['t6', 6],
      ['t7', 7],
      ['t48', 48],
    ] as const)
      q.push(task(name, length));
    expect(names(q.take())).toEqual(['t50', 't48', 't7', 't6']);
    expect(q.size).toBe(1);
  });

  it('fills the batch with the lengths closest to the oldest (older first on a tie)', () => {
    const q = queue({ max: 3 });
    for (const [name, length] of [
      ['t10', 10],
      ['t100', 100],
      ['t12', 12],
      ['t95', 95],
      ['t9', 9],
      ['t11', 11],
    ] as const)
      q.push(task(name, length));
    expect(names(q.take())).toEqual(['t10', 't9', 't11']);
    expect(names(q.take())).toEqual(['t100', 't95', 't12']);
    expect(q.take()).toBeNull();
  });

  it('takes tasks past the age bound before any length grouping', () => {
    const q = queue({ max: 3, maxAgeMs: 50 });
    q.push(task('short-old', 10));
    q.push(task('long-old', 200));
    advance(30);
    q.push(task('long-young', 195));
    q.push(task('short-young-1', 11));
    q.push(task('short-young-2', 12));
    advance(25);
    // Without the bound the leader would take the two short young tasks.
    expect(names(q.take())).toEqual(['short-old', 'long-old', 'short-young-1']);
  });

  it('ends the batch at an overdue task that does not fit: nothing younger passes it', () => {
    const q = queue({ max: 4, waitMs: 0, maxAgeMs: 50 });
    q.push(task('a', 10));
    q.push(task('b', 10, 4));
    advance(60);
    q.push(task('c', 10));
    expect(names(q.take())).toEqual(['a']);
    expect(names(q.take())).toEqual(['b']);
    expect(names(q.take())).toEqual(['c']);
  });

  it('waits for more texts, then dispatches a partial batch when the wait is over', () => {
    const q = queue({ max: 4, waitMs: 2 });
    q.push(task('a', 10));
    expect(q.take()).toBeNull();
    advance(1);
    q.push(task('b', 10));
    expect(q.take()).toBeNull();
    expect(wakes).toBe(0);
    advance(1); // the wait counts from the oldest task's arrival
    expect(wakes).toBe(1);
    expect(names(q.take())).toEqual(['a', 'b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('dispatches a full batch at once, without waiting, and cancels a pending wait', () => {
    const q = queue({ max: 3, waitMs: 100 });
    q.push(task('a', 10));
    expect(q.take()).toBeNull();
    expect(jest.getTimerCount()).toBe(1);
    q.push(task('b', 10));
    q.push(task('c', 10));
    expect(names(q.take())).toEqual(['a', 'b', 'c']);
    expect(jest.getTimerCount()).toBe(0);
    q.push(task('batch-of-3', 10, 3));
    expect(names(q.take())).toEqual(['batch-of-3']);
    advance(100);
    expect(wakes).toBe(0);
  });

  it('never splits a multi-text task: one that does not fit waits for a later batch', () => {
    const q = queue({ max: 4, waitMs: 0 });
    q.push(task('a', 10));
    q.push(task('b2', 11, 2));
    q.push(task('c2', 12, 2));
    q.push(task('d', 13));
    expect(names(q.take())).toEqual(['a', 'b2', 'd']);
    expect(names(q.take())).toEqual(['c2']);
  });

  it('sends a task with more texts than max alone', () => {
    const q = queue({ max: 4, waitMs: 0 });
    q.push(task('big', 10, 6));
    q.push(task('a', 10));
    q.push(task('b', 10));
    expect(names(q.take())).toEqual(['big']);
    q.push(task('big2', 10, 5));
    q.push(task('c', 10));
    expect(names(q.take())).toEqual(['a', 'b', 'c']);
    expect(names(q.take())).toEqual(['big2']);
  });

  it('clear() hands back every queued task and cancels the wait', () => {
    const q = queue({ max: 4, waitMs: 10 });
    q.push(task('a', 10));
    q.push(task('b', 10));
    expect(q.take()).toBeNull();
    expect(q.clear().map((t) => t.name)).toEqual(['a', 'b']);
    expect(q.size).toBe(0);
    advance(10);
    expect(wakes).toBe(0);
  });
});

describe('splitResults', () => {
  it('hands each task its own results, in order', () => {
    const batch = [task('one', 1), task('three', 1, 3), task('two', 1, 2)];
    expect(splitResults(batch, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'])).toEqual([
      ['r0'],
      ['r1', 'r2', 'r3'],
      ['r4', 'r5'],
    ]);
  });

  it('refuses a result count that does not match the texts sent', () => {
    expect(() => splitResults([task('a', 1), task('b', 1)], ['r0'])).toThrow('expected 2 results for the batch, got 1');
  });
});

describe('micro-batch configuration', () => {
  it('is off by default', () => {
    expect(new AppConfig({}).ml.microBatch).toEqual({ max: 1, waitMs: 2, maxAgeMs: 50 });
  });

  it('reads ML_MICRO_BATCH_* and enforces their bounds', () => {
    expect(
      new AppConfig({ ML_MICRO_BATCH_MAX: '8', ML_MICRO_BATCH_WAIT_MS: '0', ML_MICRO_BATCH_MAX_AGE_MS: '20' }).ml
        .microBatch,
    ).toEqual({ max: 8, waitMs: 0, maxAgeMs: 20 });
    expect(() => new AppConfig({ ML_MICRO_BATCH_MAX: '65', ML_MICRO_BATCH_WAIT_MS: '101' })).toThrow(
      ConfigValidationError,
    );
  });
});
