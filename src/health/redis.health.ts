import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { failFastRedisOptions } from '../common/redis-connection';
import { answersWithin } from '../common/settles-within';
import { AppConfig } from '../config/app-config';

/** Pings Redis on a connection of its own that fails fast, so a probe never hangs on an outage. */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private client: Redis | null = null;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  async check(key = 'redis') {
    const indicator = this.health.check(key);
    const { redis } = this.config;
    if (!redis.host) return indicator.up({ mode: 'memory', durable: false });
    if (!this.client) {
      this.client = new Redis({ ...failFastRedisOptions(this.config), lazyConnect: true });
      // A failed ping is the report; the client's own connection errors would only repeat it in the log.
      this.client.on('error', () => undefined);
    }
    const started = Date.now();
    try {
      if (this.client.status === 'wait') await this.client.connect();
      await answersWithin(this.client.ping(), 1000);
      return indicator.up({ mode: 'external', latencyMs: Date.now() - started });
    } catch (error) {
      return indicator.down({ mode: 'external', message: error instanceof Error ? error.message : String(error) });
    }
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
