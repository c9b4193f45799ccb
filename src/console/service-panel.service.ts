import { Injectable } from '@nestjs/common';
import { HealthService } from '../health/health.service';
import { ClassificationService } from '../ml/classification.service';
import { PerformanceService } from '../performance/performance.service';
import { JobsService } from '../queue/jobs.service';
import type { QueueRow, ServicePanel } from './console.types';

/** How long the queue backend may take before the panel shows the queues as unknown (Redis down must not stall it). */
const QUEUE_TIMEOUT_MS = 1000;
/** Request-rate samples older than this no longer count. */
const RATE_WINDOW_MS = 60_000;

interface RateSample {
  at: number;
  total: number;
}

/**
 * The service panel: the figures the existing services already keep (request stats and latency, the inference
 * semaphore, the result cache, the model pool, queue counts, health), read together. No SQL of its own.
 */
@Injectable()
export class ServicePanelService {
  private readonly samples: RateSample[] = [];

  constructor(
    private readonly performance: PerformanceService,
    private readonly classification: ClassificationService,
    private readonly health: HealthService,
    private readonly jobs: JobsService,
  ) {}

  async snapshot(): Promise<ServicePanel> {
    const [report, queues] = await Promise.all([this.health.full(), this.queueRows()]);
    const summary = this.performance.snapshot();
    const ml = this.classification.status();
    return {
      generatedAt: new Date().toISOString(),
      uptimeSeconds: summary.uptimeSeconds,
      requestsTotal: summary.requests.total,
      requestsPerSecond: this.rate(summary.requests.total, summary.uptimeSeconds),
      failureRate: summary.requests.failureRate,
      latencyP50Ms: summary.latencyMs.p50,
      latencyP95Ms: summary.latencyMs.p95,
      semaphoreLimit: ml.semaphore.limit,
      semaphoreActive: ml.semaphore.active,
      semaphoreWaiting: ml.semaphore.waiting,
      cacheBackend: summary.cache.backend,
      cacheHitRate: summary.cache.hitRate,
      modelsLoaded: ml.models.loaded.map((model) => `${model.id}@${model.revision}`),
      modelsLoading: ml.models.loading,
      modelLastError: ml.models.lastError ? `${ml.models.lastError.model}: ${ml.models.lastError.message}` : null,
      inferenceWorkers: ml.workers,
      queueBackend: this.jobs.backend,
      queues,
      readiness: report.status,
      healthParts: Object.entries(report.details).map(([name, part]) => ({ name, status: String(part.status) })),
    };
  }

  /** Requests per second over the last minute of samples; over the whole uptime until there is a second sample. */
  private rate(total: number, uptimeSeconds: number): number {
    const now = Date.now();
    while (this.samples.length > 1 && now - this.samples[0].at > RATE_WINDOW_MS) this.samples.shift();
    const oldest = this.samples[0];
    // One sample a second at most: the list stays short however often the panel is read.
    const newest = this.samples[this.samples.length - 1];
    if (!newest || now - newest.at >= 1000) this.samples.push({ at: now, total });
    const perSecond =
      oldest && now - oldest.at >= 1000
        ? ((total - oldest.total) * 1000) / (now - oldest.at)
        : total / Math.max(1, uptimeSeconds);
    return Number(perSecond.toFixed(2));
  }

  private async queueRows(): Promise<QueueRow[] | null> {
    try {
      const counts = await this.jobs.counts(QUEUE_TIMEOUT_MS);
      return Object.entries(counts).map(([name, row]) => ({
        name,
        waiting: row.waiting,
        active: row.active,
        completed: row.completed,
        failed: row.failed,
        delayed: row.delayed,
        workers: row.workers,
      }));
    } catch {
      return null;
    }
  }
}
