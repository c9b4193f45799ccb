import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ClassifyProcessor } from './classify.processor';
import type { JobLike } from './job-queue';
import { JobsService } from './jobs.service';
import { MaintenanceProcessor } from './maintenance.processor';
import { PROCESS_ROLE, type ProcessRole } from './process-role';
import { JobName, QueueName } from './queue-names';

/**
 * Attaches the processors to the queues in the worker process (and in the API when
 * QUEUE_PROCESS_IN_API), and registers the repeatable schedules. Bull keys a repeatable job by
 * name + cron + jobId, so every process registering the same schedule still schedules it once.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueWorker.name);
  processing = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly classify: ClassifyProcessor,
    private readonly maintenance: MaintenanceProcessor,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    if (this.role === 'cli') return;
    const process = this.role === 'worker' || this.config.queue.processInApi;
    if (process) this.startProcessing();
    void this.scheduleUntilRegistered();
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

  onApplicationShutdown(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Attaches the processors. Bull's `process()` settles only when the queue closes: not awaited. */
  startProcessing(): void {
    if (this.processing) return;
    this.processing = true;
    const attach = (
      queue: QueueName,
      name: JobName,
      concurrency: number,
      handler: (job: JobLike) => Promise<unknown>,
    ) =>
      this.jobs
        .queue(queue)
        .process(name, concurrency, handler)
        .catch((error: unknown) => this.logger.error(`processor ${queue}:${name} stopped: ${String(error)}`));
    void attach(QueueName.Ml, JobName.Classify, this.config.ml.maxConcurrent, (job) => this.classify.handle(job));
    for (const name of [JobName.AbandonConversations, JobName.PurgeJobs, JobName.MetricsSnapshot]) {
      void attach(QueueName.Maintenance, name, 1, (job) => this.maintenance.handle(job));
    }
    this.logger.log(
      `processing queues ${QueueName.Ml}, ${QueueName.Maintenance} (${this.jobs.backend}) in the ${this.role} process`,
    );
  }

  async schedule(): Promise<void> {
    const { queue } = this.config;
    const schedules: [JobName, string][] = [
      [JobName.AbandonConversations, queue.abandonCron],
      [JobName.PurgeJobs, queue.purgeCron],
      [JobName.MetricsSnapshot, queue.metricsSnapshotCron],
    ];
    for (const [name, cron] of schedules) {
      await this.jobs.add(QueueName.Maintenance, name, {}, { repeat: { cron }, jobId: name, attempts: 1 });
    }
  }
}
