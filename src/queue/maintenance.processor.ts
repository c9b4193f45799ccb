import { Injectable, Logger } from '@nestjs/common';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { ConversationRepository } from '../chat/conversation.repository';
import { AppConfig } from '../config/app-config';
import { MetricsSnapshotEntity } from '../metrics/metrics-snapshot.entity';
import { ClassificationService } from '../ml/classification.service';
import type { JobLike } from './job-queue';
import { JobName } from './queue-names';
import { JobsService } from './jobs.service';

/** The scheduled upkeep jobs (the seed's Celery beat). Each is idempotent: running twice is harmless. */
@Injectable()
export class MaintenanceProcessor {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly jobs: JobsService,
    private readonly classification: ClassificationService,
    private readonly dataSource: DataSource,
  ) {}

  async handle(job: JobLike): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.AbandonConversations: {
        const abandoned = await this.conversations.abandonStale(this.config.queue.conversationTtlSeconds);
        if (abandoned > 0) this.logger.log(`marked ${abandoned} idle conversation(s) abandoned`);
        return { abandoned };
      }
      case JobName.PurgeJobs:
        return this.jobs.purgeFinished();
      case JobName.MetricsSnapshot:
        return this.snapshot();
      case JobName.Classify:
        break;
    }
    job.discard();
    throw new Error(`no maintenance job named ${job.name}`);
  }

  private async snapshot(): Promise<{ id: string }> {
    const memory = process.memoryUsage();
    const status = this.classification.status();
    const saved = await this.dataSource.getRepository(MetricsSnapshotEntity).save({
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
    return { id: saved.id };
  }
}
