/** Each run uses fresh Redis key prefixes (empty caches) and deletes its keys afterwards. */
import { randomBytes } from 'node:crypto';
import { deleteKeys as deleteKeysOn } from '../test/support/redis-keys';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

export function runPrefix(): string {
  return `combot-bench-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of the run (`prefix`) on the machine's Redis; returns how many. */
export function deleteKeys(prefix: string): Promise<number> {
  return deleteKeysOn({ host: REDIS_HOST, port: REDIS_PORT }, prefix);
}
