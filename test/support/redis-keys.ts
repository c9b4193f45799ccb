import Redis from 'ioredis';

/** A Redis server a test, the benchmark or the local stack keeps its keys on (under a prefix of its own). */
export interface RedisTarget {
  host: string;
  port: number;
  password?: string;
  db?: number;
}

export function redisClient(target: RedisTarget): Redis {
  return new Redis({ ...target, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
}

/**
 * Deletes every key starting with `prefix` on `target` (a run's own keys on a shared Redis); returns how many.
 * The rate limiter wraps its keys in a cluster hash tag, `{<prefix>...}`, so those are matched too.
 */
export async function deleteKeys(target: RedisTarget, prefix: string): Promise<number> {
  const redis = redisClient(target);
  try {
    await redis.connect();
    let deleted = 0;
    for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}
