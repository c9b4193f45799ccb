import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll } from 'cockatiel';
import { AppConfig } from '../config/app-config';
import { timerDelay } from '../config/timer-limit';
import { MetricsService } from '../metrics/metrics.service';
import { answersWithin } from '../common/settles-within';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';
import { CacheNamespace } from './cache-namespaces';

class CacheTimeoutError extends Error {}

/**
 * Failed operations in a row after which the store is not asked for `CACHE_BREAKER_COOLDOWN_MS`. A frozen Redis
 * answers nothing and each read would wait out `REDIS_COMMAND_TIMEOUT_MS` (every classification 250 ms slower); a
 * healthy one that is merely busy rarely fails five times running, and any answer resets the count.
 */
export const CACHE_BREAKER_THRESHOLD = 5;
/** How long the store is left alone once the breaker opened; then one operation probes it. */
export const CACHE_BREAKER_COOLDOWN_MS = 1000;

/**
 * The one adapter over the cache store. Never throws: a failing or slow store is a miss (get) or a
 * skipped write (set), logged (at most every 10 s) and counted, so callers go on without the cache. A store that
 * keeps failing is not asked for a while (a circuit breaker): its operations are misses and skipped writes at once.
 */
@Injectable()
export class ResultCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ResultCache.name);
  private readonly outage = new ThrottledWarning(this.logger);
  readonly stats = { hits: 0, misses: 0, errors: 0 };
  private readonly pending = new Set<Promise<void>>();
  private readonly breaker = circuitBreaker(handleAll, {
    halfOpenAfter: CACHE_BREAKER_COOLDOWN_MS,
    breaker: new ConsecutiveBreaker(CACHE_BREAKER_THRESHOLD),
  });

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    // Each failed probe opens the breaker again, once a cool-down: one line every 10 s for as long as that lasts.
    const opened = new ThrottledWarning(this.logger);
    this.breaker.onBreak(() =>
      opened.warn(
        `the cache store failed ${CACHE_BREAKER_THRESHOLD} times in a row: going on without it, ` +
          `asking it again every ${CACHE_BREAKER_COOLDOWN_MS} ms`,
      ),
    );
    this.breaker.onReset(() => this.logger.log('the cache store answers again'));
  }

  get backend(): 'redis' | 'memory' {
    return this.config.redis.host ? 'redis' : 'memory';
  }

  async get<T>(namespace: CacheNamespace, key: string): Promise<T | undefined> {
    try {
      const value = await this.guarded(() => this.cache.get<T>(`${namespace}:${key}`));
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

  set<T>(namespace: CacheNamespace, key: string, value: T, ttlSeconds: number): Promise<void> {
    const write = this.guarded(() => this.cache.set(`${namespace}:${key}`, value, ttlSeconds * 1000)).then(
      () => undefined,
      (error: unknown) => this.failed(namespace, 'set', error),
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
    return write;
  }

  /** Waits for the writes in progress (callers often don't): before shutdown, or a one-shot command's exit. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /**
   * Opens the Redis connection before traffic: the client queues nothing while connecting (it fails
   * fast by design), so the first requests would otherwise all miss.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.backend !== 'redis') return;
    await this.withTimeout(this.cache.get('connect-probe'), timerDelay(this.config.redis.connectTimeoutMs * 4)).catch(
      (error: unknown) =>
        this.logger.warn(`Redis cache not reachable at start; classifying without it until it is: ${String(error)}`),
    );
  }

  /** Closes the store's Redis connection, which would otherwise keep reconnecting after shutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await this.cache.disconnect().catch(() => undefined);
  }

  /**
   * `operation` within the command timeout, through the breaker. While one operation probes a store that was
   * failing, the others do not wait for it (the breaker would hold them until the probe settles): they fail at once.
   */
  private guarded<T>(operation: () => Promise<T>): Promise<T> {
    if (this.breaker.state === CircuitState.HalfOpen) return Promise.reject(new BrokenCircuitError());
    return this.breaker.execute(() => this.withTimeout(operation()));
  }

  private withTimeout<T>(operation: Promise<T>, timeoutMs = this.config.redis.commandTimeoutMs): Promise<T> {
    return answersWithin(operation, timeoutMs, () => new CacheTimeoutError(`no answer within ${timeoutMs} ms`));
  }

  private failed(namespace: CacheNamespace, operation: 'get' | 'set', error: unknown): void {
    this.stats.errors++;
    this.metrics.cacheErrors.inc({ namespace, operation });
    this.outage.warn(`cache ${operation} failed, going on without the cache: ${reasonOf(error)}`);
  }
}
