import { AppError } from '../common/app.error';
import { ERROR_HTTP } from '../common/error-http.map';
import { AppConfig } from '../config/app-config';
import { Semaphore } from './semaphore';

function semaphore(limit: number, timeoutSeconds = 30, maxQueued = 100): Semaphore {
  return new Semaphore(
    new AppConfig({
      MAX_CONCURRENT_ML_OPERATIONS: String(limit),
      REQUEST_QUEUE_TIMEOUT: String(timeoutSeconds),
      ML_MAX_QUEUED_REQUESTS: String(maxQueued),
    }),
  );
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Semaphore', () => {
  afterEach(() => jest.useRealTimers());

  it('never lets more than the limit run at once', async () => {
    const gate = semaphore(2);
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 10 }, () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      }),
    );
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(gate.activeCount).toBe(0);
  });

  it('serves waiters first in, first out', async () => {
    const gate = semaphore(1);
    const hold = deferred();
    const order: number[] = [];
    const first = gate.run(() => hold.promise);
    const waiters = [1, 2, 3].map((n) => gate.run(() => Promise.resolve(void order.push(n))));
    expect(gate.waitingCount).toBe(3);
    hold.resolve();
    await Promise.all([first, ...waiters]);
    expect(order).toEqual([1, 2, 3]);
  });

  it('rejects a wait past REQUEST_QUEUE_TIMEOUT with 503 ML.OVERLOADED and Retry-After', async () => {
    jest.useFakeTimers();
    const gate = semaphore(1, 2);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const waiting = gate.acquire();
    jest.advanceTimersByTime(2001);
    const error = (await waiting.catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('ML.OVERLOADED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(1);
    // What the client sees: the exception filter's mapping of this code.
    expect(ERROR_HTTP[error.code].status).toBe(503);
    expect(gate.waitingCount).toBe(0);
    hold.resolve();
    await first;
    expect(gate.activeCount).toBe(0);
    expect(gate.stats.rejectedTimeout).toBe(1);
  });

  it('rejects at once when the waiting line is full', async () => {
    const gate = semaphore(1, 30, 1);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const queued = gate.run(() => Promise.resolve('queued'));
    await expect(gate.acquire()).rejects.toMatchObject({ code: 'ML.OVERLOADED', retryable: true });
    hold.resolve();
    await expect(queued).resolves.toBe('queued');
    await first;
  });

  it('releases the slot when the task throws', async () => {
    const gate = semaphore(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('lets an aborted waiter leave the line; the slot goes to the next one', async () => {
    const gate = semaphore(1);
    const holder = deferred();
    const held = gate.run(() => holder.promise);
    const leaving = new AbortController();
    const order: string[] = [];
    const left = gate.run(() => Promise.resolve(void order.push('left')), leaving.signal);
    const stayed = gate.run(() => Promise.resolve(void order.push('stayed')));
    leaving.abort();
    await expect(left).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' });
    expect(gate.waitingCount).toBe(1);
    holder.resolve();
    await Promise.all([held, stayed]);
    expect(order).toEqual(['stayed']);
    expect(gate.stats.abandoned).toBe(1);
    expect(gate.activeCount).toBe(0);
  });

  it('refuses at once a request whose client already left', async () => {
    const gate = semaphore(1);
    const gone = new AbortController();
    gone.abort();
    await expect(gate.acquire(gone.signal)).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' });
    expect(gate.activeCount).toBe(0);
  });
});
