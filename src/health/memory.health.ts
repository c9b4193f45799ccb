import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';

const MB = 1024 * 1024;

/** Where the indicator reads the time and the process's memory (a test gives its own). */
export interface MemorySource {
  now(): number;
  memoryUsage(): { heapUsed: number; rss: number };
}

export const MEMORY_SOURCE = Symbol('MEMORY_SOURCE');

const PROCESS_MEMORY: MemorySource = { now: () => Date.now(), memoryUsage: () => process.memoryUsage() };

/**
 * Heap and RSS against the configured ceilings. Past them a process fails readiness at once, so it stops taking
 * traffic; and liveness once it has stayed past them for HEALTH_MEMORY_LIVENESS_GRACE_MS, so it is restarted: an
 * unready process gets no traffic, but V8 and glibc seldom give memory back and ONNX Runtime's arena only grows, so it
 * might never come back under the limit, nor reach the container's memory limit that would restart it.
 */
@Injectable()
export class MemoryHealthIndicator {
  /** Since when every observation was past a limit; null while within them. */
  private overSince: number | null = null;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
    @Optional() @Inject(MEMORY_SOURCE) private readonly source: MemorySource = PROCESS_MEMORY,
  ) {}

  /** Readiness: down while the heap or RSS is past its limit. */
  check(key = 'memory') {
    const { over, data } = this.observe();
    const indicator = this.health.check(key);
    return over ? indicator.down(data) : indicator.up(data);
  }

  /** Liveness: down once memory has been past a limit, at every observation, for the grace. */
  liveness(key = 'memory') {
    const { over, data } = this.observe();
    const overLimitForMs = over && this.overSince !== null ? this.source.now() - this.overSince : 0;
    const grace = this.config.health.memoryLivenessGraceMs;
    const indicator = this.health.check(key);
    return grace > 0 && overLimitForMs >= grace
      ? indicator.down({ ...data, overLimitForMs, graceMs: grace })
      : indicator.up(data);
  }

  private observe() {
    const { heapUsed, rss } = this.source.memoryUsage();
    const { heapLimitBytes, rssLimitBytes } = this.config.health;
    const over = heapUsed > heapLimitBytes || rss > rssLimitBytes;
    if (!over) this.overSince = null;
    else this.overSince ??= this.source.now();
    const data = {
      heapUsedMb: Math.round(heapUsed / MB),
      heapLimitMb: Math.round(heapLimitBytes / MB),
      rssMb: Math.round(rss / MB),
      rssLimitMb: Math.round(rssLimitBytes / MB),
    };
    return { over, data };
  }
}
