import type { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';

/**
 * ioredis options for a connection that must never make a request wait on a Redis outage: no offline queue,
 * no retries per command, a short connect timeout, and reconnection with a capped backoff for ever (a Redis
 * restart must not need a redeploy). Commands fail at once while Redis is away; callers treat that as a miss.
 */
export function failFastRedisOptions(config: AppConfig): RedisOptions {
  return {
    host: config.redis.host ?? undefined,
    port: config.redis.port,
    db: config.redis.db,
    password: config.redis.password ?? undefined,
    connectTimeout: Math.max(config.redis.connectTimeoutMs, 500),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.redis.commandTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 5000),
  };
}
