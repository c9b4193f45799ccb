/**
 * The suite's own PostgreSQL database on the machine's server: created empty at the start (the first service
 * migrates it), checked after the conversation scenario, dropped at the end whatever happened.
 */
import { Client } from 'pg';

export const BENCH_DATABASE = 'combot_bench';
/** The server's admin URL; BENCH_POSTGRES_URL overrides it (it must point at loopback). */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`BENCH_POSTGRES_URL must point at loopback, not ${url.hostname}`);
  }
  url.pathname = `/${database}`;
  return url.toString();
}

export const benchDatabaseUrl = (): string => urlFor(BENCH_DATABASE);

async function withClient<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor(database), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function recreateDatabase(): Promise<void> {
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
}

export async function dropDatabase(): Promise<void> {
  await withClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`));
}

export interface ExpectedConversation {
  id: string;
  email: string;
}

export interface RowCheck {
  checked: number;
  complete: number;
  missing: number;
  /** Present but not completed, wrong step, wrong e-mail, no label, or not exactly `expectedTurns` turns. */
  incomplete: number;
  examples: string[];
}

/** Every conversation the client finished must be stored completed, at step 7, with its e-mail and its turns. */
export async function verifyConversations(expected: ExpectedConversation[], expectedTurns: number): Promise<RowCheck> {
  const check: RowCheck = { checked: expected.length, complete: 0, missing: 0, incomplete: 0, examples: [] };
  if (expected.length === 0) return check;
  const rows = await withClient(BENCH_DATABASE, async (client) => {
    const result = await client.query<{
      id: string;
      status: string;
      step: number;
      email: string | null;
      label: string | null;
      turns: string;
    }>(
      `SELECT c.id, c.status, c.step, c.email, c.label, count(t.id) AS turns
         FROM conversation c LEFT JOIN conversation_turn t ON t.conversation_id = c.id
        WHERE c.id = ANY($1::uuid[])
        GROUP BY c.id`,
      [expected.map((conversation) => conversation.id)],
    );
    return new Map(result.rows.map((row) => [row.id, row]));
  });
  for (const conversation of expected) {
    const row = rows.get(conversation.id);
    if (!row) {
      check.missing++;
      if (check.examples.length < 5) check.examples.push(`${conversation.id}: missing`);
      continue;
    }
    const problems = [
      row.status !== 'completed' && `status ${row.status}`,
      row.step !== 7 && `step ${row.step}`,
      row.email !== conversation.email && `email ${String(row.email)}`,
      row.label === null && 'no label',
      Number(row.turns) !== expectedTurns && `${row.turns} turns`,
    ].filter(Boolean);
    if (problems.length === 0) check.complete++;
    else {
      check.incomplete++;
      if (check.examples.length < 5) check.examples.push(`${conversation.id}: ${problems.join(', ')}`);
    }
  }
  return check;
}
