import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { CacheNamespace } from './cache-namespaces';

const WARN_EVERY_MS = 10_000;

class CacheTimeoutError extends Error {}

/**
 * The one adapter over the cache store. Never throws: a failing or slow store is a miss (get) or a
 * skipped write (set), logged (at most every 10 s) and counted, so callers go on without the cache.
 */
@Injectable()
export class ResultCache implements OnApplicationShutdown {
  private readonly logger = new Logger(ResultCache.name);
  private lastWarnAt = 0;
  readonly stats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  get backend(): 'redis' | 'memory' {
    return this.config.redis.host ? 'redis' : 'memory';
  }

  async get<T>(namespace: CacheNamespace, key: string): Promise<T | undefined> {
    try {
      const value = await this.withTimeout(this.cache.get<T>(`${namespace}:${key}`));
      if (value === undefined || value === null) {
        this.stats.misses++;
        this.metrics.cacheMisses.inc({ namespace });
        return undefined;
      }
      this.stats.hits++;
      this.metrics.cacheHits.inc({ namespace });
      return value;
    } catch (error) {
      this.stats.misses++;
      this.metrics.cacheMisses.inc({ namespace });
      this.failed(namespace, 'get', error);
      return undefined;
    }
  }

  async set<T>(namespace: CacheNamespace, key: string, value: T, ttlSeconds: number): Promise<void> {
    try {
      await this.withTimeout(this.cache.set(`${namespace}:${key}`, value, ttlSeconds * 1000));
    } catch (error) {
      this.failed(namespace, 'set', error);
    }
  }

  /** Closes the store's Redis connection, which would otherwise keep reconnecting after shutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.cache.disconnect().catch(() => undefined);
  }

  private withTimeout<T>(operation: Promise<T>): Promise<T> {
    const timeoutMs = this.config.redis.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  private failed(namespace: CacheNamespace, operation: 'get' | 'set', error: unknown): void {
    this.stats.errors++;
    this.metrics.cacheErrors.inc({ namespace, operation });
    const now = Date.now();
    if (now - this.lastWarnAt >= WARN_EVERY_MS) {
      this.lastWarnAt = now;
      this.logger.warn(
        `cache ${operation} failed, going on without the cache: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
