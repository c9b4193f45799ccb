import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { AppConfig } from '../config/app-config';
import type { JobLike } from '../queue/job-queue';
import { JobsService } from '../queue/jobs.service';
import { JobName, QueueName } from '../queue/queue-names';
import { QueueWorker } from '../queue/queue-worker';
import { ClassificationService } from './classification.service';
import type { ClassificationResponseDto } from './classification-response.dto';

export interface ClassifyJobData {
  text: string;
}

/** `ml:classify`: the same path as the HTTP endpoint (cache, single flight, semaphore, workers). */
@Injectable()
export class ClassifyProcessor implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly classification: ClassificationService,
    private readonly jobs: JobsService,
    private readonly worker: QueueWorker,
  ) {}

  onModuleInit(): void {
    this.worker.register({
      queue: QueueName.Ml,
      job: JobName.Classify,
      concurrency: this.config.queue.classifyConcurrency,
      handle: (job) => this.handle(job),
    });
  }

  /**
   * Queues a classification; its result is read back through `GET /api/jobs/ml/:id`, which takes no key. The id is
   * random, so a caller reads its own results only: Bull's own ids count up, and the next number is someone else's.
   */
  enqueue(data: ClassifyJobData): Promise<string> {
    return this.jobs.add(QueueName.Ml, JobName.Classify, data, { jobId: randomUUID() });
  }

  async handle(job: JobLike): Promise<ClassificationResponseDto> {
    const { text } = (job.data ?? {}) as Partial<ClassifyJobData>;
    try {
      return await this.classification.classify(text as string);
    } catch (error) {
      // A bad payload fails the same way on every attempt: discard it instead of retrying.
      if (error instanceof AppError && !error.retryable) job.discard();
      throw error;
    }
  }
}
