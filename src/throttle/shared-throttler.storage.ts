import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { SharedRedis } from '../common/shared-redis';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Rate-limit counters shared by every replica through Redis, so N replicas allow the limit once, not N times.
 * A Redis outage must not take the API down with it: while Redis cannot answer, each process counts in its own
 * memory (limits per replica, as without Redis), and says so in the log and the metrics.
 */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private readonly outage = new ThrottledWarning(new Logger(SharedThrottlerStorage.name));
  private readonly shared: ThrottlerStorageRedisService | null;
  private readonly keyPrefix: string;

  constructor(
    config: AppConfig,
    private readonly metrics: MetricsService,
    redis: SharedRedis,
  ) {
    this.keyPrefix = `${config.redis.keyPrefix}:throttle:`;
    this.shared = redis.client ? new ThrottlerStorageRedisService(redis.client) : null;
  }

  get backend(): 'redis' | 'memory' {
    return this.shared ? 'redis' : 'memory';
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.shared) {
      try {
        return await this.shared.increment(`${this.keyPrefix}${key}`, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.metrics.throttleFallbacks.inc();
        this.outage.warn(`rate limits counted per process while Redis is unavailable: ${reasonOf(error)}`);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
