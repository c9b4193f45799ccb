/** Each run uses fresh Redis key prefixes (empty caches) and deletes its keys afterwards. */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

export function runPrefix(): string {
  return `combot-bench-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key starting with `prefix`; returns how many. */
export async function deleteKeys(prefix: string): Promise<number> {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
