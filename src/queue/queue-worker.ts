import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorTranslation } from '../common/error-translation';
import { settlesWithin } from '../common/settles-within';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { AppConfig } from '../config/app-config';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { BullConnections } from './bull-connections';
import type { JobLike, JobQueue } from './job-queue';
import { JobsService } from './jobs.service';
import { JobName, QueueName } from './queue-names';

/** The first retry of a scheduled run that failed; later ones double it. */
const SCHEDULED_RETRY_DELAY_MS = 30_000;

/**
 * How often a process that registers the schedules checks they are still in the queue: a Redis restarted without
 * persistence comes back without them, and nothing else would ever add them again. One read per queue.
 */
export const SCHEDULE_CHECK_INTERVAL_MS = 30_000;

/** The failure reason stored for an error that has no code: its own text stays in the log. */
export const UNEXPECTED_JOB_FAILURE = 'The job failed; the service log has the cause.';

/** One job's processor, registered by the feature module that owns the job. */
export interface JobProcessor {
  queue: QueueName;
  job: JobName;
  concurrency: number;
  /** A cron expression: the job is also a repeatable schedule (the seed's Celery beat). */
  cron?: string;
  handle(job: JobLike): Promise<unknown>;
}

/**
 * Feature modules register their job processors here while the application initialises; at bootstrap this
 * attaches them to the queues in the worker process (and in the API when QUEUE_PROCESS_IN_API), and registers
 * the repeatable schedules. Bull keys a repeatable job by name + cron + jobId, so every process registering the
 * same schedule still schedules it once.
 *
 * The schedules in the queue are made to match this process's configuration when it starts: a schedule of one of
 * its job names under another cron, or of a job this configuration does not schedule (retention turned off), is
 * removed. Processes that start with different SCHEDULE_*_CRON or DATA_RETENTION_DAYS therefore undo each other's
 * schedules and the last one to start wins; every process of a deployment must share one configuration. The
 * periodic check only adds a job's schedule when none of that job's is left (never removes), so it does not fight
 * the last process's configuration, but after a Redis restart the first process to check restores its own.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueWorker.name);
  private readonly processors: JobProcessor[] = [];
  /** One throttled warning per job kind: a job failing on every run says so every few seconds, not every time. */
  private readonly failures = new Map<string, ThrottledWarning>();
  processing = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly translation: ErrorTranslation,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    @Optional() @Inject(BullConnections) private readonly connections: BullConnections | null = null,
  ) {}

  register(processor: JobProcessor): void {
    if (this.processing) throw new Error(`processor ${processor.queue}:${processor.job} registered after start`);
    this.processors.push(processor);
  }

  onApplicationBootstrap(): void {
    if (this.role === 'cli') return;
    if (this.role === 'worker' || this.config.queue.processInApi) this.startProcessing();
    void this.scheduleUntilRegistered();
  }

  onApplicationShutdown(): void {
    this.stopChecks();
  }

  /** Attaches the processors. Bull's `process()` settles only when the queue closes: not awaited. */
  startProcessing(): void {
    if (this.processing) return;
    this.processing = true;
    for (const processor of this.processors) {
      this.jobs
        .queue(processor.queue)
        .process(processor.job, processor.concurrency, (job) =>
          processor.handle(job).catch((error: unknown) => {
            this.warnFailedAttempt(processor, job, error);
            throw this.storedFailure(error);
          }),
        )
        .catch((error: unknown) =>
          this.logger.error(`processor ${processor.queue}:${processor.job} stopped: ${String(error)}`),
        );
    }
    const names = this.processors.map((processor) => `${processor.queue}:${processor.job}`).join(', ');
    this.logger.log(`processing ${names} (${this.jobs.backend}) in the ${this.role} process`);
  }

  /**
   * Stops this process taking jobs and waits up to `timeoutMs` for the active ones to finish, while every module
   * they use is still up; true when they all did. Past the timeout the queues close without waiting: the jobs
   * still running lose their lock and another worker takes them again once it expires.
   */
  async stopProcessing(timeoutMs: number): Promise<boolean> {
    this.stopChecks();
    if (!this.processing) return true;
    const queues = this.queuesOf(this.processors);
    const paused = Promise.all(queues.map((queue) => queue.pause(true))).catch((error: unknown) =>
      this.logger.warn(`could not pause the queues cleanly: ${reasonOf(error)}`),
    );
    const drained = await settlesWithin(paused, timeoutMs);
    if (!drained) {
      this.logger.warn(`jobs still active after ${timeoutMs} ms; closing the queues without waiting for them`);
      await Promise.all(queues.map((queue) => queue.close(true).catch(() => undefined)));
    }
    return drained;
  }

  /**
   * Makes the schedules in the queue those of this configuration: removes a schedule of one of this process's job
   * names whose cron is not the configured one (or that is not scheduled at all any more), then adds the configured
   * ones (idempotent: Bull keys them by name, jobId and cron).
   */
  async schedule(): Promise<void> {
    for (const queue of this.queuesOf(this.processors)) {
      for (const repeatable of await queue.getRepeatableJobs()) {
        const processor = this.processors.find((p) => p.queue === queue.name && p.job === repeatable.name);
        if (!processor || processor.cron === repeatable.cron) continue;
        await queue.removeRepeatableByKey(repeatable.key);
        this.logger.log(
          `removed the schedule ${queue.name}:${repeatable.name} (${repeatable.cron ?? 'no cron'}): ` +
            (processor.cron ? `this configuration runs it at ${processor.cron}` : 'this configuration does not run it'),
        );
      }
    }
    for (const { queue, job, cron } of this.processors) {
      if (cron) await this.add(queue, job, cron);
    }
  }

  /**
   * Adds the schedule of each job that has none left in its queue (a Redis that restarted empty), with one warning
   * naming them. Never removes: a schedule under another process's cron stays (see the class comment).
   */
  checkSchedules(): Promise<void> {
    this.checking ??= this.restoreMissing().finally(() => (this.checking = null));
    return this.checking;
  }

  private async restoreMissing(): Promise<void> {
    const scheduled = this.processors.filter((processor): processor is JobProcessor & { cron: string } =>
      Boolean(processor.cron),
    );
    const restored: string[] = [];
    for (const queue of this.queuesOf(scheduled)) {
      const present = new Set((await queue.getRepeatableJobs()).map((repeatable) => repeatable.name));
      for (const processor of scheduled) {
        if (processor.queue !== queue.name || present.has(processor.job)) continue;
        await this.add(processor.queue, processor.job, processor.cron);
        restored.push(`${processor.queue}:${processor.job} (${processor.cron})`);
      }
    }
    if (restored.length > 0) {
      this.logger.warn(
        `the schedules ${restored.join(', ')} had disappeared from the queue (Redis restarted without its data?); ` +
          'registered them again',
      );
    }
  }

  /**
   * A schedule's runs retry as every job does (`QUEUE_JOB_ATTEMPTS`), but 30 s and then 60 s apart: a run that meets
   * a database restart or a Redis failover is done a minute later, not skipped until its next slot (a day, for
   * retention). Each scheduled job is idempotent, so a retry that overlaps the next slot only repeats a no-op.
   */
  private add(queue: QueueName, job: JobName, cron: string): Promise<string> {
    return this.jobs.add(
      queue,
      job,
      {},
      { repeat: { cron }, jobId: job, backoff: { type: 'exponential', delay: SCHEDULED_RETRY_DELAY_MS } },
    );
  }

  /** The distinct queues `processors` run on. */
  private queuesOf(processors: readonly JobProcessor[]): JobQueue[] {
    return [...new Set(processors.map((processor) => processor.queue))].map((name) => this.jobs.queue(name));
  }

  /**
   * The error the queue keeps as the job's failure reason, which `GET /api/jobs/:queue/:id` shows without a key: a
   * coded error as it is (its message is the service's own), another as the adapters translate it (a database
   * outage: DB.UNAVAILABLE), anything else as a generic line. A driver's or a bug's text only reaches the log.
   */
  private storedFailure(error: unknown): Error {
    const translated = error instanceof AppError ? error : this.translation.translate(error);
    const stored = translated instanceof AppError ? translated : new Error(UNEXPECTED_JOB_FAILURE);
    // Bull keeps each attempt's stack beside the reason, and the queue dashboard shows it: the line alone, without
    // the frames and their source paths (the log has them).
    stored.stack = `${stored.name}: ${stored.message}`;
    return stored;
  }

  /** One line per failed attempt: the job's kind, id and attempt and the error's message, never its data. */
  private warnFailedAttempt(processor: JobProcessor, job: JobLike, error: unknown): void {
    const kind = `${processor.queue}:${processor.job}`;
    let warning = this.failures.get(kind);
    if (!warning) this.failures.set(kind, (warning = new ThrottledWarning(this.logger)));
    const attempt = `attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}`;
    warning.warn(`job ${kind}#${String(job.id)} ${attempt} failed: ${reasonOf(error)}`);
  }

  /**
   * The producer connection fails fast instead of queueing commands, so right after start (still
   * connecting) or during a Redis outage registration fails: try again with a capped backoff. Once registered,
   * the schedules are checked every SCHEDULE_CHECK_INTERVAL_MS and whenever the connection to Redis comes back.
   */
  private async scheduleUntilRegistered(attempt = 0): Promise<void> {
    if (this.stopped) return;
    try {
      await this.schedule();
      if (attempt > 0) this.logger.log(`schedules registered after ${attempt + 1} attempts`);
      this.startChecks();
    } catch (error) {
      const delay = Math.min(500 * 2 ** attempt, 30_000);
      this.logger.warn(`could not register the schedules yet (${String(error)}); retrying in ${delay} ms`);
      this.retryTimer = setTimeout(() => void this.scheduleUntilRegistered(attempt + 1), delay);
      this.retryTimer.unref();
    }
  }

  private startChecks(): void {
    if (this.stopped || this.checkTimer) return;
    const check = (): void => {
      if (this.stopped) return;
      // A failed check (Redis down) is retried at the next interval or reconnection; the outage is reported elsewhere.
      this.checkSchedules().catch((error: unknown) => this.logger.debug(`schedule check failed: ${reasonOf(error)}`));
    };
    this.checkTimer = setInterval(check, SCHEDULE_CHECK_INTERVAL_MS);
    this.checkTimer.unref();
    this.connections?.onReconnect(check);
  }

  private stopChecks(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.retryTimer = null;
    this.checkTimer = null;
  }
}
