import { Client } from 'pg';

/** The machine's PostgreSQL (trust auth) that integration and e2e tests create their databases on. */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Refuses any database whose name does not end in `_test`: tests drop what they create. */
export function assertTestDatabaseName(name: string): void {
  if (!/^[a-z0-9_]+_test$/.test(name)) {
    throw new Error(`refusing to use database "${name}": test databases must be named *_test`);
  }
}

export function testDatabaseUrl(name: string): string {
  assertTestDatabaseName(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and recreates an empty `*_test` database; the app's own migrations then build its schema. */
export async function recreateTestDatabase(name: string): Promise<string> {
  assertTestDatabaseName(name);
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return testDatabaseUrl(name);
}

export async function dropTestDatabase(name: string): Promise<void> {
  assertTestDatabaseName(name);
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
