import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ClassificationService } from '../ml/classification.service';
import type { ClassificationResult } from '../ml/ml.types';
import type { JobLike } from './job-queue';
import { ClassifyJobData } from './queue-names';

/** `ml:classify`: the same path as the HTTP endpoint (cache, single flight, semaphore, workers). */
@Injectable()
export class ClassifyProcessor {
  constructor(private readonly classification: ClassificationService) {}

  async handle(job: JobLike): Promise<ClassificationResult> {
    const { text } = (job.data ?? {}) as Partial<ClassifyJobData>;
    try {
      return await this.classification.classify(text as string);
    } catch (error) {
      // A bad payload will fail the same way on every attempt: discard it instead of retrying.
      if (error instanceof AppError && Number(error.statusCode) < 500) job.discard();
      throw error;
    }
  }
}
