import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import type { JobLike } from './job-queue';
import { JobsService } from './jobs.service';
import { JobName, QueueName } from './queue-names';

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
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueWorker.name);
  private readonly processors: JobProcessor[] = [];
  processing = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
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
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Attaches the processors. Bull's `process()` settles only when the queue closes: not awaited. */
  startProcessing(): void {
    if (this.processing) return;
    this.processing = true;
    for (const processor of this.processors) {
      this.jobs
        .queue(processor.queue)
        .process(processor.job, processor.concurrency, (job) => processor.handle(job))
        .catch((error: unknown) =>
          this.logger.error(`processor ${processor.queue}:${processor.job} stopped: ${String(error)}`),
        );
    }
    const names = this.processors.map((processor) => `${processor.queue}:${processor.job}`).join(', ');
    this.logger.log(`processing ${names} (${this.jobs.backend}) in the ${this.role} process`);
  }

  async schedule(): Promise<void> {
    for (const { queue, job, cron } of this.processors) {
      if (cron) await this.jobs.add(queue, job, {}, { repeat: { cron }, jobId: job, attempts: 1 });
    }
  }

  /**
   * The producer connection fails fast instead of queueing commands, so right after start (still
   * connecting) or during a Redis outage registration fails: try again with a capped backoff.
   */
  private async scheduleUntilRegistered(attempt = 0): Promise<void> {
    try {
      await this.schedule();
      if (attempt > 0) this.logger.log(`schedules registered after ${attempt + 1} attempts`);
    } catch (error) {
      const delay = Math.min(500 * 2 ** attempt, 30_000);
      this.logger.warn(`could not register the schedules yet (${String(error)}); retrying in ${delay} ms`);
      this.retryTimer = setTimeout(() => void this.scheduleUntilRegistered(attempt + 1), delay);
      this.retryTimer.unref();
    }
  }
}
