import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobsService } from './jobs.service';
import { JobName, QueueName } from './queue-names';
import { QueueWorker } from './queue-worker';

/** `maintenance:purge-jobs`: removes finished job records older than the retention (the Celery-beat purge). */
@Injectable()
export class PurgeJobsProcessor implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly worker: QueueWorker,
  ) {}

  onModuleInit(): void {
    this.worker.register({
      queue: QueueName.Maintenance,
      job: JobName.PurgeJobs,
      concurrency: 1,
      cron: this.config.queue.purgeCron,
      handle: () => this.jobs.purgeFinished(),
    });
  }
}
