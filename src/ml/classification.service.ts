import { isBlankText } from '../common/blank-text';
import { Injectable, Logger } from '@nestjs/common';
import { CacheNamespace } from '../cache/cache-namespaces';
import { ResultCache } from '../cache/result-cache';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { ClassificationDto, ClassificationResponseDto } from './classification-response.dto';
import type { MlStatusResponseDto } from './ml-status-response.dto';
import { InferenceAbandoned, LABELS, type Label, type LabelScores } from './ml.types';
import { LoadedModel, ModelPool } from './model-pool';
import { clientClosed, Semaphore } from './semaphore';
import { normaliseText, textDigest } from './text-normaliser';

interface Flight {
  promise: Promise<ClassificationDto>;
  resolve: (value: ClassificationDto) => void;
  reject: (error: unknown) => void;
  /** Requests still waiting for this result (its owner and those that joined it). */
  interest: number;
  /** Called when `interest` drops to 0: the inference carrying it may give up its place in line. */
  lost: () => void;
}

function flight(): Flight {
  let resolve!: Flight['resolve'];
  let reject!: Flight['reject'];
  const promise = new Promise<ClassificationDto>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A flight nobody joined must not become an unhandled rejection; its owner sees the error anyway.
  promise.catch(() => undefined);
  return { promise, resolve, reject, interest: 1, lost: () => undefined };
}

function topLabel(scores: LabelScores): Label {
  return LABELS.reduce((best, label) => (scores[label] > scores[best] ? label : best), LABELS[0]);
}

/**
 * Classifies complaint texts: result cache first, then identical texts already in flight (single
 * flight), then one inference for the rest, inside the semaphore, on the pooled model.
 */
@Injectable()
export class ClassificationService {
  private readonly inFlight = new Map<string, Flight>();
  private readonly failures = new ThrottledWarning(new Logger(ClassificationService.name));
  readonly stats = { requests: 0, coalesced: 0 };

  constructor(
    private readonly config: AppConfig,
    private readonly pool: ModelPool,
    private readonly semaphore: Semaphore,
    private readonly cache: ResultCache,
    private readonly metrics: MetricsService,
  ) {}

  async classify(text: string, signal?: AbortSignal): Promise<ClassificationResponseDto> {
    const [result] = await this.classifyMany([text], signal);
    return result;
  }

  /**
   * Classifies several texts; the ones neither cached nor in flight share one inference call. When `signal`
   * aborts (the client left), this request stops counting on its flights, and an inference that nobody is
   * waiting for any more leaves the semaphore's line before it runs.
   */
  async classifyMany(texts: string[], signal?: AbortSignal): Promise<ClassificationResponseDto[]> {
    const normalised = texts.map((text) => this.validatedText(text));
    this.stats.requests += texts.length;
    const model = await this.pool.get();
    const keys = normalised.map((text) => `${model.ref.id}:${model.revision}:${textDigest(text)}`);
    const results: ClassificationResponseDto[] = new Array<ClassificationResponseDto>(texts.length);
    const joined: Promise<void>[] = [];
    const owned: { index: number; key: string; flight: Flight }[] = [];
    const interested: Flight[] = [];
    const join = (index: number, existing: Flight): void => {
      existing.interest++;
      interested.push(existing);
      this.stats.coalesced++;
      this.metrics.mlCoalesced.inc();
      joined.push(existing.promise.then((value) => void (results[index] = { ...value, cached: false })));
    };
    // An identical text already in flight is joined at once, without a cache round trip.
    const joinedEarly = new Set<number>();
    keys.forEach((key, index) => {
      const existing = this.joinable(key);
      if (existing) {
        join(index, existing);
        joinedEarly.add(index);
      }
    });
    const cached = await Promise.all(
      keys.map((key, index) =>
        joinedEarly.has(index)
          ? Promise.resolve(undefined)
          : this.cache.get<ClassificationDto>(CacheNamespace.MlResult, key),
      ),
    );
    cached.forEach((hit, index) => {
      if (joinedEarly.has(index)) return;
      if (hit) {
        results[index] = { ...hit, cached: true };
        return;
      }
      const key = keys[index];
      const existing = this.joinable(key);
      if (existing) {
        join(index, existing);
        return;
      }
      const own = flight();
      if (this.config.ml.coalesce) this.inFlight.set(key, own);
      owned.push({ index, key, flight: own });
      interested.push(own);
    });

    const leave = (): void => {
      for (const entry of interested) if (--entry.interest === 0) entry.lost();
    };
    signal?.addEventListener('abort', leave, { once: true });
    try {
      if (owned.length > 0) await this.infer(model, owned, normalised, results);
      await Promise.all(joined);
      return results;
    } finally {
      signal?.removeEventListener('abort', leave);
    }
  }

  status(): MlStatusResponseDto {
    const models = this.pool.status();
    return {
      models,
      semaphore: {
        limit: this.semaphore.capacity,
        active: this.semaphore.activeCount,
        waiting: this.semaphore.waitingCount,
        ...this.semaphore.stats,
      },
      workers: models.loaded.reduce((sum, model) => sum + model.workers, 0),
      inferenceMode: this.config.ml.inferenceMode,
      cache: { backend: this.cache.backend, ...this.cache.stats },
      requests: this.stats.requests,
      coalesced: this.stats.coalesced,
      inFlight: this.inFlight.size,
    };
  }

  private async infer(
    model: LoadedModel,
    owned: { index: number; key: string; flight: Flight }[],
    normalised: string[],
    results: ClassificationResponseDto[],
  ): Promise<void> {
    const abandoned = new AbortController();
    for (const { flight: own } of owned) {
      own.lost = () => {
        if (owned.every((entry) => entry.flight.interest <= 0)) abandoned.abort();
      };
    }
    try {
      const scores = await this.semaphore.run(
        () =>
          model.runner
            .classify(
              owned.map(({ index }) => normalised[index]),
              abandoned.signal,
            )
            .catch((error: unknown) => {
              if (error instanceof InferenceAbandoned) throw clientClosed();
              this.failures.warn(`inference failed: ${reasonOf(error)}`);
              throw new AppError(ErrorCode.MlInferenceFailed, 'Classification failed; retry shortly.', {
                cause: error,
              });
            }),
        abandoned.signal,
      );
      owned.forEach(({ index, key, flight: own }, position) => {
        const classification: ClassificationDto = {
          label: topLabel(scores[position]),
          scores: scores[position],
          model: { id: model.ref.id, revision: model.revision },
        };
        results[index] = { ...classification, cached: false };
        own.resolve(classification);
        // The flight stays joinable until the cache holds the result: a request whose cache read
        // missed in between joins it instead of running the same inference again.
        void this.cache
          .set(CacheNamespace.MlResult, key, classification, this.config.ml.cacheTtlSeconds)
          .finally(() => this.land(key, own));
      });
    } catch (error) {
      for (const { key, flight: own } of owned) {
        own.reject(error);
        this.land(key, own);
      }
      throw error;
    }
  }

  /** A flight for `key` someone still waits for: one everybody left is being dropped and must not be joined. */
  private joinable(key: string): Flight | undefined {
    const existing = this.config.ml.coalesce ? this.inFlight.get(key) : undefined;
    return existing && existing.interest > 0 ? existing : undefined;
  }

  private land(key: string, own: Flight): void {
    if (this.inFlight.get(key) === own) this.inFlight.delete(key);
  }

  /**
   * `text` normalised, or the ML.INVALID_TEXT every classification route answers for it: not a string, empty, or
   * longer than ML_MAX_TEXT_LENGTH once normalised.
   */
  validatedText(text: unknown): string {
    if (typeof text !== 'string') {
      throw new AppError(ErrorCode.MlInvalidText, 'text must be a string.');
    }
    const normalised = normaliseText(text);
    // Nothing to read (only characters that render as nothing), as the chat refuses it: no label is honest for it.
    if (isBlankText(normalised)) {
      throw new AppError(ErrorCode.MlInvalidText, 'text must not be empty.');
    }
    if (normalised.length > this.config.ml.maxTextLength) {
      throw new AppError(
        ErrorCode.MlInvalidText,
        `text is ${normalised.length} UTF-16 code units long (an emoji takes two); the limit is ${this.config.ml.maxTextLength}.`,
      );
    }
    return normalised;
  }
}
