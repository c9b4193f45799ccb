import { Injectable } from '@nestjs/common';
import os from 'node:os';
import { ClassificationService } from '../ml/classification.service';
import { RequestStats } from '../metrics/request-stats';
import type { PerformanceSummaryResponseDto } from './performance-summary-response.dto';

/** The seed's `get_performance_metrics`: memory, CPU, request rates, latency, cache hit rate, pool status. */
@Injectable()
export class PerformanceService {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(
    private readonly stats: RequestStats,
    private readonly classification: ClassificationService,
  ) {}

  snapshot(): PerformanceSummaryResponseDto {
    const memory = process.memoryUsage();
    const ml = this.classification.status();
    const lookups = ml.cache.hits + ml.cache.misses;
    return {
      memory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        percent: Number(((memory.rss / os.totalmem()) * 100).toFixed(2)),
      },
      cpuPercent: this.cpuPercent(),
      requests: {
        total: this.stats.total,
        succeeded: this.stats.succeeded,
        failed: this.stats.failed,
        successRate: this.stats.total ? Number((this.stats.succeeded / this.stats.total).toFixed(4)) : 1,
        failureRate: this.stats.total ? Number((this.stats.failed / this.stats.total).toFixed(4)) : 0,
      },
      latencyMs: this.stats.percentiles(),
      cache: { ...ml.cache, hitRate: lookups ? Number((ml.cache.hits / lookups).toFixed(4)) : 0 },
      pool: { models: ml.models, semaphore: ml.semaphore, workers: ml.workers, inferenceMode: ml.inferenceMode },
      uptimeSeconds: Math.round(process.uptime()),
      pid: process.pid,
    };
  }

  /** CPU used by this process since the previous call, as a percentage of one core. */
  private cpuPercent(): number {
    const now = performance.now();
    const usage = process.cpuUsage(this.lastCpu);
    const elapsedMs = now - this.lastAt;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return elapsedMs > 0 ? Number((((usage.user + usage.system) / 1000 / elapsedMs) * 100).toFixed(1)) : 0;
  }
}
