import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { ClassificationService } from './classification.service';
import { ClassifyProcessor } from './classify.processor';
import { InferenceRunnerFactory } from './inference-runner.factory';
import { MlController } from './ml.controller';
import { ModelPool } from './model-pool';
import { Semaphore } from './semaphore';

/** Complaint classification: model pool in worker threads, semaphore, result cache, single flight, queued jobs. */
@Module({
  imports: [CacheModule],
  controllers: [MlController],
  providers: [ClassificationService, ModelPool, Semaphore, InferenceRunnerFactory, ClassifyProcessor],
  exports: [ClassificationService, ModelPool],
})
export class MlModule {}
