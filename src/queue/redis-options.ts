import type { RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * ioredis options for Bull's three connections. Bull's subscriber and blocking client need
 * `maxRetriesPerRequest: null` and `enableReadyCheck: false` to survive a Redis restart; the producer
 * connection fails fast instead (no offline queue, one retry) so an API call answers rather than hangs.
 */
export function bullRedisOptions(config: AppConfig, type: 'client' | 'subscriber' | 'bclient'): RedisOptions {
  const base: RedisOptions = {
    host: config.redis.host ?? undefined,
    port: config.redis.port,
    db: config.redis.db,
    password: config.redis.password ?? undefined,
    connectTimeout: Math.max(config.redis.connectTimeoutMs, 1000),
    // Reconnect with a capped exponential backoff, for ever: Redis restarts must not need a redeploy.
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 5000),
  };
  return type === 'client'
    ? { ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false }
    : { ...base, maxRetriesPerRequest: null, enableReadyCheck: false };
}
