import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { InferenceRunnerFactory } from './inference-runner.factory';
import type { InferenceRunner, ModelRef } from './ml.types';
import type { ModelPoolStatusDto } from './ml-status-response.dto';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';

export interface LoadedModel {
  ref: ModelRef;
  /** Resolved revision (content hash for a local model). */
  revision: string;
  runner: InferenceRunner;
  loadedAt: Date;
  loadMs: number;
  lastUsedAt: number;
}

/**
 * How long after a failed load of the default model the readiness check tries again by itself: the Retry-After
 * participants get with ML.MODEL_LOAD_FAILED. Without it a replica whose model was briefly unreadable at start
 * would stay unready for good, since an orchestrator sends an unready replica no requests to retry with.
 */
export const MODEL_RELOAD_BACKOFF_MS = 5_000;

function keyOf(ref: ModelRef): string {
  return `${ref.id}@${ref.revision}`;
}

/**
 * Models keyed by id + revision, at most `ML_MAX_MODELS` in memory, least recently used evicted (its
 * sessions released). Concurrent requests for a model being loaded share one load; a failed load is
 * `ML.MODEL_LOAD_FAILED` and is retried on the next request (the default model also by the readiness check).
 */
@Injectable()
export class ModelPool implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ModelPool.name);
  /** Insertion order is recency order: a use re-inserts the entry at the end. */
  private readonly models = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private lastError: ModelPoolStatusDto['lastError'] = null;
  /** When the last load of the default model failed (0: never). */
  private defaultFailedAt = 0;
  readonly defaultRef: ModelRef;

  constructor(
    private readonly config: AppConfig,
    private readonly runners: InferenceRunnerFactory,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() @Inject(PROCESS_ROLE) private readonly role: ProcessRole = 'api',
  ) {
    this.defaultRef = { id: config.ml.modelId, revision: config.ml.modelRevision };
    this.metrics?.gauge(MetricName.MlModelsLoaded, 'Models held in memory by the model pool.', [], (set) =>
      set({}, this.models.size),
    );
  }

  /** Preload at start; a failure is logged (readiness reports it) and retried by the next request. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.role !== 'cli') await this.preload();
  }

  /** Loads the default model and ML_PRELOAD_MODELS (within ML_MAX_MODELS). */
  async preload(): Promise<void> {
    const ids = [this.config.ml.modelId, ...this.config.ml.preloadModels.filter((id) => id !== this.config.ml.modelId)];
    for (const id of ids.slice(0, this.config.ml.maxModels)) {
      await this.get({ id, revision: this.config.ml.modelRevision }).catch((error: unknown) =>
        this.logger.error(`preload of ${id} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const models = [...this.models.values()];
    this.models.clear();
    await Promise.all(models.map((model) => this.release(model)));
  }

  async get(ref: ModelRef = this.defaultRef): Promise<LoadedModel> {
    const key = keyOf(ref);
    const loaded = this.models.get(key);
    if (loaded) {
      this.models.delete(key);
      this.models.set(key, loaded);
      loaded.lastUsedAt = Date.now();
      return loaded;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(ref).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /**
   * Starts a new load of the default model when the last one failed at least MODEL_RELOAD_BACKOFF_MS ago and none
   * is under way; its outcome shows in the next check (a failure is logged and recorded by `load`).
   */
  retryDefaultLoad(now = Date.now()): void {
    const key = keyOf(this.defaultRef);
    if (this.models.has(key) || this.loading.has(key) || this.defaultFailedAt === 0) return;
    if (now - this.defaultFailedAt < MODEL_RELOAD_BACKOFF_MS) return;
    this.get(this.defaultRef).catch(() => undefined);
  }

  isLoaded(ref: ModelRef = this.defaultRef): boolean {
    return this.models.has(keyOf(ref));
  }

  status(): ModelPoolStatusDto {
    return {
      maxModels: this.config.ml.maxModels,
      loaded: [...this.models.values()].map((model) => ({
        id: model.ref.id,
        revision: model.revision,
        workers: model.runner.workers,
        loadedAt: model.loadedAt.toISOString(),
        loadMs: model.loadMs,
        lastUsedAt: new Date(model.lastUsedAt).toISOString(),
        inferences: model.runner.stats.inferences,
        textsClassified: model.runner.stats.texts,
        meanInferenceMs: model.runner.stats.inferences
          ? Number((model.runner.stats.totalMs / model.runner.stats.inferences).toFixed(2))
          : 0,
      })),
      loading: [...this.loading.keys()],
      lastError: this.lastError,
    };
  }

  private async load(ref: ModelRef): Promise<LoadedModel> {
    const key = keyOf(ref);
    const started = Date.now();
    this.logger.log(`loading model ${key}`);
    let runner: InferenceRunner;
    try {
      runner = await this.runners.start(ref);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.lastError = { model: key, message, at: new Date().toISOString() };
      if (key === keyOf(this.defaultRef)) this.defaultFailedAt = Date.now();
      this.metrics?.mlModelLoads.inc({ model: key, outcome: 'failed' });
      this.logger.error(`loading model ${key} failed after ${Date.now() - started} ms: ${message}`);
      throw new AppError(
        ErrorCode.MlModelLoadFailed,
        `The classification model ${key} could not be loaded; retry shortly.`,
        { cause: error },
      );
    }
    const model: LoadedModel = {
      ref,
      revision: runner.revision,
      runner,
      loadedAt: new Date(),
      loadMs: Date.now() - started,
      lastUsedAt: Date.now(),
    };
    this.models.set(key, model);
    this.metrics?.mlModelLoads.inc({ model: key, outcome: 'loaded' });
    this.logger.log(
      `model ${key} (revision ${model.revision}) loaded in ${model.loadMs} ms, ${runner.workers} worker(s)`,
    );
    await this.evictBeyondLimit();
    return model;
  }

  private async evictBeyondLimit(): Promise<void> {
    while (this.models.size > this.config.ml.maxModels) {
      const [key, oldest] = this.models.entries().next().value as [string, LoadedModel];
      this.models.delete(key);
      this.logger.log(`evicting least recently used model ${key}`);
      await this.release(oldest);
    }
  }

  private async release(model: LoadedModel): Promise<void> {
    const started = Date.now();
    await model.runner
      .dispose()
      .catch((error: unknown) => this.logger.warn(`releasing ${keyOf(model.ref)}: ${String(error)}`));
    this.logger.log(`model ${keyOf(model.ref)} unloaded in ${Date.now() - started} ms`);
  }
}
