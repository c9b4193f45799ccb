import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config';
import { BoundedMap } from './bounded-map';

const MEMORY_MAX_ENTRIES = 50_000;

/**
 * The cache-manager store: Redis through `@keyv/redis` when REDIS_HOST is set, else a bounded in-memory map.
 *
 * Why `@keyv/redis` and not `cache-manager-redis-yet`: the latter targets cache-manager 5; under the
 * current @nestjs/cache-manager (cache-manager 7 + Keyv) it silently caches in process memory only.
 * The Redis client fails fast when Redis is down (no offline queue, short connect timeout, capped
 * reconnect backoff) so an outage becomes a cache miss instead of a stalled request.
 */
export function createCacheStore(config: AppConfig): Keyv {
  if (!config.redis.host) {
    return new Keyv({ store: new BoundedMap<string, unknown>(MEMORY_MAX_ENTRIES), namespace: config.redis.keyPrefix });
  }
  const store = new KeyvRedis(
    {
      socket: {
        host: config.redis.host,
        port: config.redis.port,
        connectTimeout: config.redis.connectTimeoutMs,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000),
      },
      database: config.redis.db,
      ...(config.redis.password ? { password: config.redis.password } : {}),
      disableOfflineQueue: true,
    },
    {
      namespace: config.redis.keyPrefix,
      keyPrefixSeparator: ':',
      throwOnConnectError: false,
      throwOnErrors: true,
      connectionTimeout: config.redis.connectTimeoutMs,
    },
  );
  return new Keyv({ store, namespace: config.redis.keyPrefix, useKeyPrefix: false, throwOnErrors: true });
}
