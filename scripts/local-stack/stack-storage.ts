import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import type { RedisTarget } from '../../test/support/redis-keys';

/** The machine's PostgreSQL (trust) that a stack creates its database on unless given `--database-url`. */
export const DEFAULT_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const DATABASE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists; true when it was created. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  if (!DATABASE_NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
  return withClient(adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function queryDatabase<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query(sql, params)).rows as Row[]);
}

/**
 * Runs the migrations once, before any replica starts, with the TypeORM CLI on the built data source (the
 * replicas then start with DB_MIGRATE_ON_START=false, so K processes never race to migrate).
 */
export function runMigrations(repo: string, env: Record<string, string>): string {
  const result = spawnSync(
    process.execPath,
    [
      path.join(repo, 'node_modules', 'typeorm', 'cli.js'),
      'migration:run',
      '-d',
      path.join(repo, 'dist', 'src', 'database', 'data-source.js'),
    ],
    { cwd: repo, env, encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0)
    throw new Error(`migrations failed (exit ${String(result.status)}):\n${output.slice(-3000)}`);
  return output;
}

export { deleteKeys, redisClient, type RedisTarget } from '../../test/support/redis-keys';

/** The caller's Redis settings, read as the service reads them; none means the machine's Redis. */
export function redisFromEnv(env: NodeJS.ProcessEnv): RedisTarget | undefined {
  const host = env.REDIS_HOST?.trim();
  if (!host) return undefined;
  const number = (key: 'REDIS_PORT' | 'REDIS_DB', fallback: number, max: number): number => {
    const text = env[key]?.trim();
    if (!text) return fallback;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new Error(`${key}=${text}: not a number from 0 to ${max}`);
    return Number(text);
  };
  const password = env.REDIS_PASSWORD;
  return {
    host,
    port: number('REDIS_PORT', 6379, 65535),
    db: number('REDIS_DB', 0, 15),
    ...(password ? { password } : {}),
  };
}
