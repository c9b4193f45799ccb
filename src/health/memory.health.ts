import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';

const MB = 1024 * 1024;

/** Heap and RSS against the configured ceilings: a process past them should stop taking traffic. */
@Injectable()
export class MemoryHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  check(key = 'memory') {
    const indicator = this.health.check(key);
    const { heapUsed, rss } = process.memoryUsage();
    const data = {
      heapUsedMb: Math.round(heapUsed / MB),
      heapLimitMb: Math.round(this.config.health.heapLimitBytes / MB),
      rssMb: Math.round(rss / MB),
      rssLimitMb: Math.round(this.config.health.rssLimitBytes / MB),
    };
    return heapUsed <= this.config.health.heapLimitBytes && rss <= this.config.health.rssLimitBytes
      ? indicator.up(data)
      : indicator.down(data);
  }
}
