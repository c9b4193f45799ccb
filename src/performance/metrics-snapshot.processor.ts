import { Injectable, OnModuleInit } from '@nestjs/common';
import os from 'node:os';
import { AppConfig } from '../config/app-config';
import { ClassificationService } from '../ml/classification.service';
import { JobsService } from '../queue/jobs.service';
import { JobName, QueueName } from '../queue/queue-names';
import { QueueWorker } from '../queue/queue-worker';
import { MetricsSnapshotRepository } from './metrics-snapshot.repository';

/**
 * `maintenance:metrics-snapshot`: stores the processing process's RSS, heap, cache, semaphore and queue counts, and
 * removes the snapshots older than the retention, so the table holds a bounded history (43,200 rows at one a minute
 * for 30 days) however long the service runs.
 */
@Injectable()
export class MetricsSnapshotProcessor implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly classification: ClassificationService,
    private readonly jobs: JobsService,
    private readonly snapshots: MetricsSnapshotRepository,
    private readonly worker: QueueWorker,
  ) {}

  onModuleInit(): void {
    this.worker.register({
      queue: QueueName.Maintenance,
      job: JobName.MetricsSnapshot,
      concurrency: 1,
      cron: this.config.queue.metricsSnapshotCron,
      handle: () => this.snapshot(),
    });
  }

  async snapshot(): Promise<{ id: string; removed: number }> {
    const memory = process.memoryUsage();
    const status = this.classification.status();
    const id = await this.snapshots.insert({
      host: os.hostname().slice(0, 64),
      pid: process.pid,
      rssBytes: String(memory.rss),
      heapUsedBytes: String(memory.heapUsed),
      details: {
        cache: status.cache,
        semaphore: status.semaphore,
        requests: status.requests,
        queues: await this.jobs.counts(),
      },
    });
    const removed = await this.snapshots.removeOlderThan(this.config.queue.metricsSnapshotRetentionDays);
    return { id, removed };
  }
}
