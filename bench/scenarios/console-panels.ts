/** The study console's panel endpoints over a seeded study of its own, one request at a time in rotating order. */
import { Client } from 'pg';
import { recreateTestDatabase, testDatabaseUrl } from '../../test/support/test-database';
import { CONSOLE_ADMIN_KEY, CONSOLE_DATABASE, type Scenario } from '../context';
import { fmt, table } from '../markdown';
import { summariseLatencies } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

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
  const client = new Client({ connectionString: testDatabaseUrl(CONSOLE_DATABASE) });
  await client.connect();
  try {
    for (const statement of SEED_SQL(conversations)) await client.query(statement);
    const { rows } = await client.query<{ conversations: number; turns: number }>(
      `SELECT (SELECT count(*) FROM conversation)::int AS conversations,
              (SELECT count(*) FROM conversation_turn)::int AS turns`,
    );
    return { seconds: (performance.now() - started) / 1000, ...rows[0] };
  } finally {
    await client.end();
  }
}

/** Logs in as the console does, then calls every endpoint `rounds` times after 3 warm-up calls each. */
async function timeEndpoints(baseUrl: string, rounds: number) {
  const login = await fetch(`${baseUrl}/api/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: CONSOLE_ADMIN_KEY }),
  });
  const cookie = login.headers.getSetCookie().find((header) => header.startsWith('combot_admin='));
  if (!login.ok || !cookie) throw new Error(`login failed: ${login.status}`);
  const get = (p: string): Promise<Response> => fetch(`${baseUrl}${p}`, { headers: { Cookie: cookie.split(';')[0] } });
  type Page = { items: { id: string }[]; nextCursor: string };
  const first = (await (await get('/api/admin/study/conversations')).json()) as Page;
  // The calls the console makes, plus a deeper page, a filtered page and a transcript.
  const paths = [
    '/api/admin/study/arms',
    '/api/admin/study/funnel',
    '/api/admin/study/funnel?byArm=true',
    '/api/admin/study/labels',
    '/api/admin/study/timeline?bucket=day',
    '/api/admin/study/timeline?bucket=hour',
    '/api/admin/study/durations',
    // The panels limited to the conversations started at the greeting, as a study is judged.
    '/api/admin/study/arms?origin=greeting',
    '/api/admin/study/funnel?byArm=true&origin=greeting',
    '/api/admin/study/labels?origin=greeting',
    '/api/admin/study/durations?origin=greeting',
    '/api/admin/study/service',
    '/api/admin/study/conversations',
    `/api/admin/study/conversations?cursor=${first.nextCursor}`,
    '/api/admin/study/conversations?brand=Lulu&thinkLevel=Low&feelLevel=High&status=abandoned&label=Other',
    `/api/admin/study/conversations/${first.items[0].id}`,
  ];
  const timings = new Map(paths.map((p) => [p, [] as number[]]));
  const call = async (p: string): Promise<number> => {
    const started = performance.now();
    const response = await get(p);
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

/** The endpoint as the report names it: no cursor value, no conversation id. */
const shown = (p: string): string =>
  p
    .replace('/api/admin/study/', '')
    .replace(/cursor=[^&]+/, 'cursor=…')
    .replace(/conversations\/[0-9a-f-]{36}/, 'conversations/:id');

export const consolePanels: Scenario = async (ctx) => {
  const { conversations, rounds } = ctx.plan.console;
  await recreateTestDatabase(CONSOLE_DATABASE);
  const service = await ctx.service('console'); // migrates the empty database
  ctx.log(`    seeding ${conversations.toLocaleString('en')} conversations`);
  const seeded = await seed(conversations);
  ctx.log(`    seeded ${seeded.conversations} conversations, ${seeded.turns} turns in ${fmt(seeded.seconds, 1)} s`);
  const timings = await timeEndpoints(service.baseUrl, rounds);
  const endpoints = [...timings].map(([p, ms]) => ({ endpoint: shown(p), ...summariseLatencies(ms) }));
  for (const e of endpoints)
    ctx.log(`    ${e.endpoint}: p50 ${fmt(e.p50, 1)} ms, p95 ${fmt(e.p95, 1)} ms, max ${fmt(e.max, 1)} ms`);
  const worst = endpoints.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const p95s = endpoints.map((e) => e.p95);
  const note = `${endpoints.length} endpoints, ${rounds} calls each; slowest \`${worst.endpoint}\``;
  const section = [
    `## Study console panels — ${seeded.conversations.toLocaleString('en')} conversations, ${seeded.turns.toLocaleString('en')} turns`,
    '',
    `Seeded in ${fmt(seeded.seconds)} s (one INSERT … SELECT generate_series per table, then VACUUM ANALYZE) into a database of its own; logged in with the session cookie as the console does; every endpoint called ${rounds} times over HTTP, one request at a time, in rotating order after 3 warm-up calls each.`,
    '',
    ...table(endpoints, [
      ['endpoint (`/api/admin/study/…`)', (e) => `\`${e.endpoint}\``],
      ['calls', (e) => String(e.count)],
      ['p50 ms', (e) => fmt(e.p50)],
      ['p95 ms', (e) => fmt(e.p95)],
      ['max ms', (e) => fmt(e.max)],
    ]),
  ];
  return {
    result: { seeded, rounds, endpoints },
    section,
    targets: [evaluateTarget(TARGETS.consolePanelP95, p95s, note)],
  };
};
