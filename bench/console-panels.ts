/**
 * The study console's panel endpoints at study scale: seeds 100,000 conversations and ~1.5 million turns (one
 * INSERT … SELECT generate_series per table) into its own database, starts the built API, logs in like the
 * console does (session cookie) and calls every panel endpoint over HTTP, one request at a time, round after round
 * in rotating order. Prints p50/p95/max per endpoint and writes bench/results/console-panels.json.
 *
 *   npm run build && npx ts-node --transpile-only bench/console-panels.ts [--conversations 100000] [--rounds 40]
 *        [--target-ms 200] [--keep] [--out bench/results/console-panels.json]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL overrides; loopback only). Standalone for now; the bench
 * suite can call `runConsolePanels`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, startService, waitForHttp, type ServiceProcess } from '../test/support/service-process';

const DATABASE = 'combot_console_bench';
const ADMIN_KEY = 'console-bench-admin-key-0123456789';
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REPO = path.resolve(__dirname, '..');

export interface ConsoleBenchOptions {
  conversations: number;
  rounds: number;
  targetMs: number;
  keep: boolean;
  out: string;
}

export interface EndpointResult {
  endpoint: string;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  pass: boolean;
}

/** Like the suite's bench/database.ts, repeated on purpose: this script stands alone while the suite is rewritten. */
function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`BENCH_POSTGRES_URL must point at loopback, not ${url.hostname}`);
  }
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Nearest rank: a p95 is a latency that happened. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * One statement per table, as a live study would have filled them: the eight arms in balanced blocks of eight,
 * 30 days of conversations, 89 % completed (16 turns each), the rest abandoned or in progress at a random step
 * (1 + 2 × step turns), scores from the four labels, durations of 2–12 minutes. Deterministic (setseed).
 */
const SEED_SQL = (n: number): string[] => [
  'SELECT setseed(0.42)',
  `INSERT INTO conversation (id, entry_point, origin, brand, think_level, feel_level, status, step, label,
     score_a, score_b, score_c, score_other, model_id, model_revision, content_version, email, completion_code,
     client_timer_seconds, duration_ms, created_at, updated_at, last_activity_at, completed_at)
   SELECT id, 'random', CASE WHEN u_origin < 0.05 THEN 'no_greeting' ELSE 'greeting' END,
          CASE WHEN arm < 4 THEN 'Basic' ELSE 'Lulu' END,
          CASE WHEN arm % 4 < 2 THEN 'High' ELSE 'Low' END,
          CASE WHEN arm % 2 = 0 THEN 'High' ELSE 'Low' END,
          status, step,
          CASE WHEN step = 0 THEN NULL WHEN ea >= greatest(eb, ec, eo) THEN 'A' WHEN eb >= greatest(ec, eo) THEN 'B'
               WHEN ec >= eo THEN 'C' ELSE 'Other' END,
          CASE WHEN step > 0 THEN ea / (ea + eb + ec + eo) END, CASE WHEN step > 0 THEN eb / (ea + eb + ec + eo) END,
          CASE WHEN step > 0 THEN ec / (ea + eb + ec + eo) END, CASE WHEN step > 0 THEN eo / (ea + eb + ec + eo) END,
          CASE WHEN step > 0 THEN 'combot-complaint-classifier' END, CASE WHEN step > 0 THEN 'bench' END,
          'example-1+bench',
          CASE WHEN status = 'completed' THEN 'p' || n || '@example.org' END,
          CASE WHEN status = 'completed' THEN 'B' || lpad(to_hex(n), 8, '0') END,
          duration_ms / 1000.0, CASE WHEN status = 'completed' THEN duration_ms END,
          created_at, created_at + make_interval(secs => duration_ms / 1000.0),
          created_at + make_interval(secs => duration_ms / 1000.0),
          CASE WHEN status = 'completed' THEN created_at + make_interval(secs => duration_ms / 1000.0) END
     FROM (SELECT n, gen_random_uuid() AS id, ((n - 1) % 8 + ((n - 1) / 8) * 3) % 8 AS arm,
                  now() - interval '30 days' + (interval '30 days' * n / ${n}) AS created_at,
                  CASE WHEN n > ${n} - 40 THEN 'in_progress' WHEN u_status < 0.89 THEN 'completed'
                       ELSE 'abandoned' END AS status,
                  CASE WHEN n > ${n} - 40 OR u_status >= 0.89 THEN floor(u_step * 7)::int ELSE 7 END AS step,
                  exp(4 * ua) AS ea, exp(4 * ub) AS eb, exp(4 * uc) AS ec, exp(3.5 * uo) AS eo,
                  (120 + 600 * u_dur * u_dur)::int * 1000 + floor(u_ms * 1000)::int AS duration_ms, u_origin
             FROM (SELECT n, random() AS u_status, random() AS u_step, random() AS ua, random() AS ub,
                          random() AS uc, random() AS uo, random() AS u_dur, random() AS u_ms, random() AS u_origin
                     FROM generate_series(1, ${n}) AS n) AS r) AS c`,
  `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text, message_type, created_at)
   SELECT c.id,
          CASE WHEN t = 0 OR t % 2 = 0 OR t = 15 THEN 'bot' ELSE 'participant' END,
          CASE WHEN t = 0 THEN 'greeting' WHEN t = 15 THEN 'closing_prompt' WHEN t % 2 = 1 THEN 'message'
               ELSE 'reply' END,
          CASE WHEN t = 0 THEN -1 WHEN t = 15 THEN 6 ELSE (t - 1) / 2 END,
          CASE WHEN t = 0 THEN 'Hello, what went wrong?' WHEN t = 15 THEN 'Please leave your e-mail address.'
               WHEN t % 2 = 1 THEN 'Participant message ' || t || ' about a parcel that never came.'
               ELSE 'Thank you. Could you tell me more about what happened next?' END,
          CASE WHEN t > 0 AND t < 15 AND t % 2 = 0 THEN c.think_level || coalesce(c.label, 'Other') END,
          c.created_at + make_interval(secs => t * 20)
     FROM conversation c CROSS JOIN LATERAL generate_series(0, 15) AS t
    WHERE t = 0 OR (t < 15 AND (t - 1) / 2 < c.step) OR (t = 15 AND c.step >= 6)`,
  `INSERT INTO condition_slot (scope, block_no, position, brand, think_level, feel_level, conversation_id, assigned_at)
   SELECT 'random', (n - 1) / 8 + 1, (n - 1) % 8, brand, think_level, feel_level, id, created_at
     FROM (SELECT id, brand, think_level, feel_level, created_at,
                  row_number() OVER (ORDER BY created_at, id) AS n FROM conversation) AS c`,
  // What autovacuum does soon after a bulk load: statistics, and the visibility map index-only scans rely on.
  'VACUUM ANALYZE',
];

async function seed(conversations: number): Promise<{ seconds: number; conversations: number; turns: number }> {
  const started = performance.now();
  await withClient(DATABASE, async (client) => {
    for (const statement of SEED_SQL(conversations)) await client.query(statement);
  });
  const [counts] = await withClient(
    DATABASE,
    async (client) =>
      (
        await client.query<{ conversations: number; turns: number }>(
          `SELECT (SELECT count(*) FROM conversation)::int AS conversations,
                (SELECT count(*) FROM conversation_turn)::int AS turns`,
        )
      ).rows,
  );
  return { seconds: round1((performance.now() - started) / 1000), ...counts };
}

async function login(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: ADMIN_KEY }),
  });
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('combot_admin='));
  if (!response.ok || !cookie) throw new Error(`login failed: ${response.status}`);
  return cookie.split(';')[0];
}

/** The calls the console makes, plus a deeper page, a filtered page and a transcript. */
async function endpoints(baseUrl: string, cookie: string): Promise<string[]> {
  const get = async (path: string): Promise<unknown> =>
    (await fetch(`${baseUrl}${path}`, { headers: { Cookie: cookie } })).json();
  const first = (await get('/api/admin/study/conversations')) as { items: { id: string }[]; nextCursor: string };
  return [
    '/api/admin/study/arms',
    '/api/admin/study/funnel',
    '/api/admin/study/funnel?byArm=true',
    '/api/admin/study/labels',
    '/api/admin/study/timeline?bucket=day',
    '/api/admin/study/timeline?bucket=hour',
    '/api/admin/study/durations',
    '/api/admin/study/service',
    '/api/admin/study/conversations',
    `/api/admin/study/conversations?cursor=${first.nextCursor}`,
    '/api/admin/study/conversations?brand=Lulu&thinkLevel=Low&feelLevel=High&status=abandoned&label=Other',
    `/api/admin/study/conversations/${first.items[0].id}`,
  ];
}

async function measure(
  baseUrl: string,
  cookie: string,
  paths: string[],
  rounds: number,
): Promise<Map<string, number[]>> {
  const timings = new Map(paths.map((p) => [p, [] as number[]]));
  const call = async (p: string): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${p}`, { headers: { Cookie: cookie } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${p}: ${response.status}`);
    return performance.now() - started;
  };
  for (const p of paths) for (let i = 0; i < 3; i++) await call(p); // warm-up: connections, plans, JIT
  for (let r = 0; r < rounds; r++) {
    // Rotating order, so no endpoint always follows the same one (caches, GC).
    for (let i = 0; i < paths.length; i++) {
      const p = paths[(i + r) % paths.length];
      timings.get(p)?.push(await call(p));
    }
  }
  return timings;
}

export async function runConsolePanels(options: ConsoleBenchOptions): Promise<EndpointResult[]> {
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${DATABASE}`);
  });
  let service: ServiceProcess | undefined;
  const loadAtStart = os.loadavg().map((value) => round1(value));
  try {
    service = startService({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: urlFor(DATABASE),
      DB_MIGRATE_ON_START: 'true',
      ADMIN_API_KEY: ADMIN_KEY,
      THROTTLE_LIMIT: '0',
    });
    await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 120_000);
    log(`seeding ${options.conversations.toLocaleString('en')} conversations …`);
    const seeded = await seed(options.conversations);
    log(
      `seeded ${seeded.conversations.toLocaleString('en')} conversations, ${seeded.turns.toLocaleString('en')} turns ` +
        `in ${seeded.seconds} s`,
    );
    const cookie = await login(service.baseUrl);
    const paths = await endpoints(service.baseUrl, cookie);
    const timings = await measure(service.baseUrl, cookie, paths, options.rounds);
    const results = paths.map((p) => {
      const values = timings.get(p) ?? [];
      const p95 = percentile(values, 95);
      return {
        endpoint: p.replace(/cursor=[^&]+/, 'cursor=…').replace(/conversations\/[0-9a-f-]{36}/, 'conversations/:id'),
        calls: values.length,
        p50Ms: round1(percentile(values, 50)),
        p95Ms: round1(p95),
        maxMs: round1(Math.max(...values)),
        pass: p95 <= options.targetMs,
      };
    });
    const width = Math.max(...results.map((result) => result.endpoint.length));
    log(`\n${'endpoint'.padEnd(width)}   calls    p50 ms    p95 ms    max ms`);
    for (const result of results) {
      log(
        `${result.endpoint.padEnd(width)}   ${String(result.calls).padStart(5)}  ${String(result.p50Ms).padStart(8)}  ` +
          `${String(result.p95Ms).padStart(8)}  ${String(result.maxMs).padStart(8)}  ${result.pass ? 'PASS' : 'FAIL'}`,
      );
    }
    const loadAtEnd = os.loadavg().map((value) => round1(value));
    log(
      `\np95 target ${options.targetMs} ms; load average at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}`,
    );
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(
      options.out,
      `${JSON.stringify(
        {
          scenario: 'console-panels',
          at: new Date().toISOString(),
          commit: gitCommit(),
          machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? 'unknown',
            memoryGiB: round1(os.totalmem() / 2 ** 30),
            node: process.version,
            postgres: await withClient(
              DATABASE,
              async (client) =>
                (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v,
            ),
            loadAverageAtStart: loadAtStart,
            loadAverageAtEnd: loadAtEnd,
          },
          seeded,
          rounds: options.rounds,
          targetP95Ms: options.targetMs,
          results,
        },
        null,
        2,
      )}\n`,
    );
    log(`written ${path.relative(REPO, options.out)}`);
    return results;
  } finally {
    service?.child.kill('SIGTERM');
    await service?.exited;
    if (!options.keep) {
      await withClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
    }
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function optionsFrom(argv: string[]): ConsoleBenchOptions {
  const value = (name: string, fallback: string): string => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 && argv[index + 1] ? argv[index + 1] : fallback;
  };
  return {
    conversations: Number(value('conversations', '100000')),
    rounds: Number(value('rounds', '40')),
    targetMs: Number(value('target-ms', '200')),
    keep: argv.includes('--keep'),
    out: path.resolve(value('out', path.join(REPO, 'bench', 'results', 'console-panels.json'))),
  };
}

if (require.main === module) {
  runConsolePanels(optionsFrom(process.argv.slice(2))).then(
    (results) => (process.exitCode = results.every((result) => result.pass) ? 0 : 1),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
