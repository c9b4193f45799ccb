import { createHash } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';

/** The machine's PostgreSQL (trust auth) that integration and e2e tests create their databases on. */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Two checkouts running their tests at once on the same server must never drop each other's databases:
 * every name gets a short tag of this checkout's path (`combot_chat_e2e_test` → `combot_chat_e2e_3f9a1c_test`).
 */
const CHECKOUT_TAG = createHash('sha256')
  .update(path.resolve(__dirname, '..', '..'))
  .digest('hex')
  .slice(0, 6);

/** Refuses any database whose name does not end in `_test`: tests drop what they create. */
export function assertTestDatabaseName(name: string): void {
  if (!/^[a-z0-9_]+_test$/.test(name)) {
    throw new Error(`refusing to use database "${name}": test databases must be named *_test`);
  }
}

/** The name a test's database really has on the server: its own name, tagged with this checkout. */
export function checkoutDatabaseName(name: string): string {
  assertTestDatabaseName(name);
  return `${name.slice(0, -'_test'.length)}_${CHECKOUT_TAG}_test`;
}

export function testDatabaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${checkoutDatabaseName(name)}`;
  return url.toString();
}

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates an empty `*_test` database; the app's own migrations then build its schema. */
export async function recreateTestDatabase(name: string): Promise<string> {
  const real = checkoutDatabaseName(name);
  await withClient(ADMIN_URL, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${real}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${real}"`);
  });
  return testDatabaseUrl(name);
}

export async function dropTestDatabase(name: string): Promise<void> {
  const real = checkoutDatabaseName(name);
  await withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${real}" WITH (FORCE)`));
}

/**
 * VACUUM ANALYZE of a `*_test` database: what autovacuum would have done by now on a server that runs it. A
 * benchmark's scenarios share one database; on a server without autovacuum each would inherit the dead rows and
 * stale statistics of the ones before it.
 */
export async function vacuumTestDatabase(name: string): Promise<void> {
  await withClient(testDatabaseUrl(name), (client) => client.query('VACUUM ANALYZE'));
}
