import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { MainThreadRunner } from './main-thread.runner';
import type { InferenceRunner, ModelRef } from './ml.types';
import { WorkerPoolRunner } from './worker-pool.runner';

/** Starts the runner a model is served by; the one place that knows the ML runtime's settings. */
@Injectable()
export class InferenceRunnerFactory {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  start(ref: ModelRef): Promise<InferenceRunner> {
    const { ml } = this.config;
    const options = {
      modelsDir: ml.modelsDir,
      allowRemoteModels: ml.allowRemoteModels,
      intraOpThreads: ml.intraOpThreads,
      maxTokens: ml.maxTokens,
      workerNice: ml.workerNice,
      pipelineDepth: ml.pipelineDepth,
    };
    const modelLabel = `${ref.id}@${ref.revision}`;
    const record = (ms: number, texts: number): void => {
      this.metrics.mlInferences.inc({ model: modelLabel });
      this.metrics.mlTextsClassified.inc({ model: modelLabel }, texts);
      this.metrics.mlInferenceDuration.observe({ model: modelLabel }, ms / 1000);
    };
    // Micro-batching lives in the worker pool's queue; the main-thread runner (benchmark baseline) runs
    // each call as it comes and ignores it.
    return ml.inferenceMode === 'main-thread' || ml.workers === 0
      ? MainThreadRunner.start(ref, options, record)
      : WorkerPoolRunner.start(ref, options, ml.workers, record, ml.microBatch);
  }
}
