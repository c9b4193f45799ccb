import { Injectable, Optional } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';

/** Nobody is left to answer: counted as `client_closed`, logged, sent to no one. */
export function clientClosed(): AppError {
  return new AppError(
    ErrorCode.ClientClosedRequest,
    'The client closed the request before an inference slot was free.',
  );
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Bounds how many requests are in inference at once (`MAX_CONCURRENT_ML_OPERATIONS`). Waiters are
 * served first come, first served; the waiting line is bounded (`ML_MAX_QUEUED_REQUESTS`) and a wait
 * longer than `REQUEST_QUEUE_TIMEOUT` ends in 503 `ML.OVERLOADED` with `Retry-After`.
 */
@Injectable()
export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  readonly stats = { acquired: 0, waited: 0, rejectedFull: 0, rejectedTimeout: 0, abandoned: 0 };
  private readonly limit: number;
  private readonly maxWaiting: number;
  private readonly timeoutMs: number;

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.limit = config.ml.maxConcurrent;
    this.maxWaiting = config.ml.maxQueued;
    this.timeoutMs = config.ml.queueTimeoutMs;
    this.metrics?.gauge(MetricName.MlSemaphoreActive, 'Requests holding an inference slot.', [], (set) =>
      set({}, this.active),
    );
    this.metrics?.gauge(MetricName.MlSemaphoreWaiting, 'Requests waiting for an inference slot.', [], (set) =>
      set({}, this.waiters.length),
    );
  }

  get activeCount(): number {
    return this.active;
  }

  get waitingCount(): number {
    return this.waiters.length;
  }

  get capacity(): number {
    return this.limit;
  }

  /**
   * Runs `task` inside a slot; the slot is released whatever the task does. An aborted `signal` (the
   * client went away) gives up the place in line, so no inference runs for nobody.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw clientClosed();
    this.stats.acquired++;
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return;
    }
    if (this.waiters.length >= this.maxWaiting) {
      this.stats.rejectedFull++;
      this.metrics?.mlSemaphoreRejected.inc({ reason: 'queue_full' });
      throw this.overloaded(`the inference queue is full (${this.maxWaiting} waiting)`);
    }
    this.stats.waited++;
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
      };
      const onAbort = (): void => {
        leave();
        this.stats.abandoned++;
        this.metrics?.mlSemaphoreRejected.inc({ reason: 'client_closed' });
        reject(clientClosed());
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve();
        },
        timer: setTimeout(() => {
          leave();
          this.stats.rejectedTimeout++;
          this.metrics?.mlSemaphoreRejected.inc({ reason: 'timeout' });
          reject(this.overloaded(`no inference slot became free within ${this.timeoutMs / 1000} s`));
        }, this.timeoutMs),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
    this.metrics?.mlSemaphoreWait.observe((Date.now() - started) / 1000);
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      // The slot passes straight to the next waiter: `active` is unchanged.
      next.grant();
      return;
    }
    this.active = Math.max(0, this.active - 1);
  }

  private overloaded(reason: string): AppError {
    const retryAfter = Math.max(1, Math.ceil(this.timeoutMs / 1000 / 2));
    return new AppError(ErrorCode.MlOverloaded, `The classifier is overloaded: ${reason}. Retry in ${retryAfter} s.`, {
      retryAfterSeconds: retryAfter,
    });
  }
}
