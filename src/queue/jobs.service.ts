import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { JobOptions } from 'bull';
import type { Redis } from 'ioredis';
import { AppError } from '../common/app.error';
import { echoed } from '../common/echoed-value';
import { answersWithin, settlesWithin } from '../common/settles-within';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import type { JobCounts, JobQueue } from './job-queue';
import type { JobViewResponseDto } from './job-view-response.dto';
import { JobName, QUEUE_NAMES, QueueName } from './queue-names';

/**
 * How long a request waits for one queue command. Bull's connection queues commands while Redis is unreachable or
 * frozen, so without a bound a request would hang for as long as the outage lasts; past it, 503
 * `QUEUE.UNAVAILABLE`. (The command may still run once Redis answers: an added job then runs, unasked for.)
 */
export const QUEUE_COMMAND_TIMEOUT_MS = 2000;

/**
 * How long the queue dashboard (bull-board) may take to answer; past it, the same 503 `QUEUE.UNAVAILABLE`. bull-board
 * reads the queues on Bull's command connection, which has no command timeout (the workers write through the same
 * kind of connection, and a slow `clean` or a failover must not fail their writes), so while Redis is frozen its
 * reads would wait for as long as the freeze lasts. One answer is a few rounds of commands (counts, a page of jobs,
 * Redis INFO) that a healthy Redis answers in milliseconds: the bound of one command plus a second for the rounds
 * and writing the answer.
 */
export const QUEUE_DASHBOARD_TIMEOUT_MS = QUEUE_COMMAND_TIMEOUT_MS + 1000;

/**
 * Resolves once a Bull queue's command connection is ready (reading `client` creates it: Bull connects lazily); at
 * once for the in-process queue, which has none.
 */
function connected(queue: JobQueue): Promise<void> {
  const client = (queue as Partial<{ client: Redis }>).client;
  if (!client || client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** Adds jobs and reads them back, for either queue backend; the only producer of jobs. */
@Injectable()
export class JobsService {
  private readonly queues: Record<QueueName, JobQueue>;
  private readonly outage = new ThrottledWarning(new Logger(JobsService.name));
  /** The read of job counts in flight, if any: the health report, a console refresh and a scrape share it. */
  private countsInFlight: Promise<Record<QueueName, JobCounts & { workers: number }>> | null = null;

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
    @InjectQueue(QueueName.Ml) ml: JobQueue,
    @InjectQueue(QueueName.Maintenance) maintenance: JobQueue,
  ) {
    this.queues = { [QueueName.Ml]: ml, [QueueName.Maintenance]: maintenance };
    metrics.gauge(
      MetricName.QueueJobs,
      'Jobs per queue and state.',
      ['queue', 'state'],
      async (set) => {
        // A scrape while Redis is down reports no queue series rather than failing the whole scrape.
        const counts = await this.counts(1000).catch(() => null);
        for (const [queue, byState] of Object.entries(counts ?? {})) {
          for (const state of ['waiting', 'active', 'completed', 'failed', 'delayed'] as const) {
            set({ queue, state }, byState[state]);
          }
        }
      },
      // Bull's queues are one set in Redis that every process counts; in-process queues are each process's own.
      this.config.redis.host ? 'max' : 'sum',
    );
    // A queue nobody consumes (no worker running, QUEUE_PROCESS_IN_API off) only piles up jobs, and its schedules
    // never run: alert on 0. Health reports it as `consuming: false`.
    metrics.gauge(
      MetricName.QueueWorkers,
      'Processes consuming each queue.',
      ['queue'],
      async (set) => {
        const counts = await this.counts(1000).catch(() => null);
        for (const [queue, { workers }] of Object.entries(counts ?? {})) set({ queue }, workers);
      },
      this.config.redis.host ? 'max' : 'sum',
    );
  }

  get backend(): 'bull' | 'in-process' {
    return this.config.redis.host ? 'bull' : 'in-process';
  }

  queue(name: QueueName): JobQueue {
    return this.queues[name];
  }

  /** Retries with exponential backoff; finished jobs kept up to a bound (Bull's own trimming). */
  jobOptions(extra: JobOptions = {}): JobOptions {
    const { queue } = this.config;
    return {
      attempts: queue.attempts,
      backoff: { type: 'exponential', delay: queue.backoffMs },
      removeOnComplete: queue.keepCompleted,
      removeOnFail: queue.keepFailed,
      ...extra,
    };
  }

  async add(queue: QueueName, name: JobName, data: unknown, extra: JobOptions = {}): Promise<string> {
    try {
      const job = await answersWithin(
        this.queues[queue].add(name, data, this.jobOptions(extra)),
        QUEUE_COMMAND_TIMEOUT_MS,
      );
      return String(job.id);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** A job of `queueName`, one of `among` (the HTTP lookup offers `LOOKUP_QUEUE_NAMES`; the process itself, all). */
  async view(queueName: string, id: string, among: readonly QueueName[] = QUEUE_NAMES): Promise<JobViewResponseDto> {
    if (!(among as readonly string[]).includes(queueName)) {
      throw new AppError(
        ErrorCode.QueueUnknown,
        `No queue named "${echoed(queueName)}" to look a job up in; queues: ${among.join(', ')}.`,
      );
    }
    const queue = queueName as QueueName;
    const bounded = <T>(operation: () => Promise<T>): Promise<T> =>
      answersWithin(operation(), QUEUE_COMMAND_TIMEOUT_MS).catch((error: unknown) => {
        throw this.unavailable(error);
      });
    const fetch = () => bounded(() => this.queues[queue].getJob(id));
    let job = await fetch();
    if (!job)
      throw new AppError(
        ErrorCode.QueueJobNotFound,
        `No job ${echoed(id)} in queue ${queue} (finished jobs are kept for a bounded time).`,
      );
    const found = job;
    const state = await bounded(() => found.getState());
    // The job may have finished between reading it and reading its state: read it again for its result.
    if (state === 'completed' || state === 'failed') job = (await fetch()) ?? job;
    return {
      id: String(job.id),
      queue,
      name: job.name,
      state,
      progress: job.progress(),
      attemptsMade: job.attemptsMade,
      result: job.returnvalue ?? null,
      failedReason: job.failedReason ?? null,
      createdAt: new Date(job.timestamp).toISOString(),
      processedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }

  /**
   * Waits until every queue's connection is up, at most `withinMs`: a one-shot command that asks at once would be
   * refused by a connection still connecting. False when they are not up within the bound.
   */
  ready(withinMs: number): Promise<boolean> {
    return settlesWithin(Promise.all(Object.values(this.queues).map(connected)), withinMs);
  }

  /**
   * Jobs per state and consuming workers, per queue. With `withinMs` it rejects when the backend has not answered
   * by then: Bull's commands queue while Redis is down, and a probe, a scrape or a panel must not wait for it.
   */
  async counts(withinMs?: number): Promise<Record<QueueName, JobCounts & { workers: number }>> {
    return withinMs === undefined ? this.readCounts() : answersWithin(this.readCounts(), withinMs);
  }

  private readCounts(): Promise<Record<QueueName, JobCounts & { workers: number }>> {
    this.countsInFlight ??= this.readCountsFromBackend().finally(() => (this.countsInFlight = null));
    return this.countsInFlight;
  }

  private async readCountsFromBackend(): Promise<Record<QueueName, JobCounts & { workers: number }>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const [counts, workers] = await Promise.all([this.queues[name].getJobCounts(), this.queues[name].getWorkers()]);
        return [name, { ...counts, workers: workers.length }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<QueueName, JobCounts & { workers: number }>;
  }

  /** Removes finished job records older than the retention (the Celery-beat purge). */
  async purgeFinished(): Promise<{ completed: number; failed: number }> {
    const grace = this.config.queue.retentionMs;
    let completed = 0;
    let failed = 0;
    for (const name of QUEUE_NAMES) {
      completed += (await this.queues[name].clean(grace, 'completed')).length;
      failed += (await this.queues[name].clean(grace, 'failed')).length;
    }
    return { completed, failed };
  }

  /** The backend's failure, logged here; the caller only learns that the queue is unavailable. */
  private unavailable(error: unknown): AppError {
    this.outage.warn(`job queue unavailable: ${reasonOf(error)}`);
    return new AppError(ErrorCode.QueueUnavailable, 'The job queue is unavailable; retry shortly.', { cause: error });
  }
}
