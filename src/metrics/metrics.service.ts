import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import cluster from 'node:cluster';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { answersWithin } from '../common/settles-within';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { clusterMetricsText, shareWithClusterPrimary } from './cluster-metrics';
import { METRIC_PREFIX, MetricName } from './metric-names';

/** How long a scrape waits for the cluster's primary to gather every process's metrics. */
const CLUSTER_SCRAPE_TIMEOUT_MS = 3_000;

/** How long a scrape waits for one gauge's source (a count in PostgreSQL, Redis); past it the gauge is left out. */
const GAUGE_READ_TIMEOUT_MS = 1_000;

const gaugeOutage = new ThrottledWarning(new Logger('MetricsService'));

/**
 * The service's Prometheus registry and its instruments. Other modules inject this class and record
 * into the instruments; gauges whose value lives elsewhere register a `collect` callback.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  readonly httpDuration = new Histogram({
    name: MetricName.HttpRequestDuration,
    help: 'HTTP request duration by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly mlInferenceDuration = new Histogram({
    name: MetricName.MlInferenceDuration,
    help: 'Model inference duration per call (one call may hold a batch of texts).',
    labelNames: ['model'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly mlInferences = new Counter({
    name: MetricName.MlInferences,
    help: 'Model inference calls run.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly mlTextsClassified = new Counter({
    name: MetricName.MlTextsClassified,
    help: 'Texts classified by the model (cache hits excluded).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly mlSemaphoreRejected = new Counter({
    name: MetricName.MlSemaphoreRejected,
    help: 'Requests refused by the inference semaphore (queue full or wait timed out).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly mlSemaphoreWait = new Histogram({
    name: MetricName.MlSemaphoreWaitDuration,
    help: 'Time spent waiting for an inference slot.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30],
    registers: [this.registry],
  });

  readonly mlModelLoads = new Counter({
    name: MetricName.MlModelLoads,
    help: 'Model loads by outcome.',
    labelNames: ['model', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly mlCoalesced = new Counter({
    name: MetricName.MlCoalesced,
    help: 'Requests that shared an identical in-flight classification instead of running their own.',
    registers: [this.registry],
  });

  readonly cacheHits = new Counter({
    name: MetricName.CacheHits,
    help: 'Result cache hits.',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly cacheMisses = new Counter({
    name: MetricName.CacheMisses,
    help: 'Result cache misses.',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly cacheErrors = new Counter({
    name: MetricName.CacheErrors,
    help: 'Result cache operations that failed, timed out, or were skipped while the store kept failing (the request went on without the cache).',
    labelNames: ['namespace', 'operation'] as const,
    registers: [this.registry],
  });

  readonly chatTurns = new Counter({
    name: MetricName.ChatTurns,
    help: 'Chat turns answered, by step kind and whether the answer was replayed.',
    labelNames: ['step', 'replayed'] as const,
    registers: [this.registry],
  });

  readonly llmRequests = new Counter({
    name: MetricName.LlmRequests,
    help: 'LLM calls by outcome (ok, error, timeout, skipped when busy, circuit_open).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly throttleFallbacks = new Counter({
    name: MetricName.ThrottleFallbacks,
    help: 'Rate-limit checks counted in process memory because Redis could not answer.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    if (cluster.isWorker) shareWithClusterPrimary(this.registry);
    this.loopDelay.enable();
    const loopDelay = this.loopDelay;
    new Gauge({
      name: MetricName.EventLoopDelay,
      help: 'Event-loop delay over the last scrape interval.',
      labelNames: ['quantile'] as const,
      registers: [this.registry],
      // Across the cluster's processes, the slowest loop: a sum of delays means nothing.
      aggregator: 'max',
      collect() {
        this.set({ quantile: '0.5' }, loopDelay.percentile(50) / 1e9);
        this.set({ quantile: '0.99' }, loopDelay.percentile(99) / 1e9);
        this.set({ quantile: 'max' }, loopDelay.max / 1e9);
        loopDelay.reset();
      },
    });
  }

  /**
   * A gauge whose values are read from a callback at scrape time. `across` says how the cluster's HTTP processes
   * combine it (API_PROCESSES > 1): `sum` for what each process holds (its inference slots, its models), `max` for
   * state every process reads from the same place (PostgreSQL, Redis) or a worst case (a circuit's state), which a
   * sum would multiply by the process count.
   */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => void | Promise<void>,
    across: 'sum' | 'max' = 'sum',
  ): void {
    if (this.registry.getSingleMetric(name)) this.registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      aggregator: across,
      async collect() {
        this.reset();
        // A source that fails or hangs (PostgreSQL down or frozen) costs this gauge its series for this scrape, not
        // the scrape: every other series, the 503s of the outage included, is what the operator needs then.
        let open = true;
        const reading = Promise.resolve().then(() =>
          read((labels, value) => {
            if (open) this.set(labels, value);
          }),
        );
        try {
          await answersWithin(reading, GAUGE_READ_TIMEOUT_MS);
        } catch (error) {
          open = false;
          this.reset();
          gaugeOutage.warn(`metric ${name} left out of the scrape: ${reasonOf(error)}`);
        }
      },
    });
  }

  /** The Prometheus text of the whole service: this process's, or every HTTP process's when they run as a cluster. */
  async scrape(): Promise<string> {
    if (!cluster.isWorker) return this.registry.metrics();
    try {
      return await clusterMetricsText(CLUSTER_SCRAPE_TIMEOUT_MS);
    } catch (error) {
      throw new AppError(ErrorCode.ServiceUnavailable, "The service's metrics could not be gathered; retry.", {
        cause: error,
      });
    }
  }

  onModuleDestroy(): void {
    this.loopDelay.disable();
  }
}
