import { Injectable } from '@nestjs/common';
import type { LatencyPercentilesDto } from './latency-percentiles.dto';

const WINDOW = 2048;

/**
 * Request totals and a sliding window of the latest latencies (ring buffer): the seed's
 * PerformanceMonitor, fed by the HTTP metrics interceptor.
 */
@Injectable()
export class RequestStats {
  total = 0;
  succeeded = 0;
  failed = 0;
  private readonly latencies = new Float64Array(WINDOW);
  private filled = 0;
  private next = 0;

  record(durationMs: number, status: number): void {
    this.total++;
    if (status >= 500) this.failed++;
    else this.succeeded++;
    this.latencies[this.next] = durationMs;
    this.next = (this.next + 1) % WINDOW;
    this.filled = Math.min(this.filled + 1, WINDOW);
  }

  percentiles(): LatencyPercentilesDto {
    const sorted = Array.from(this.latencies.subarray(0, this.filled)).sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)) : 0;
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), window: sorted.length };
  }
}
