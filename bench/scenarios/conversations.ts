/** Whole conversations on the shipped model, paced and without think time, each finished one checked in PostgreSQL. */
import path from 'node:path';
import { Client } from 'pg';
import { testDatabaseUrl } from '../../test/support/test-database';
import { BENCH_DATABASE, REPO, SHIPPED_MODELS_DIR } from '../context';
import type { BenchContext, BenchService, Scenario } from '../context';
import { driveConversations, KINDS, TURNS_PER_CONVERSATION } from '../load/conversation-driver';
import { withClient } from '../load/http-client';
import { fmt, table, type Column } from '../markdown';
import type { ConversationLevelPlan } from '../plan';
import { UsageMeter } from '../proc-stats';
import { sum } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

export type ConversationLevel = Awaited<ReturnType<typeof conversationLevel>>;

/** The columns of a conversation level: CPU in % of one core, or with `cpuPerSecond` in seconds per second. */
export function levelColumns(cpuPerSecond: boolean): Column<ConversationLevel>[] {
  const unit = cpuPerSecond ? 's/s' : '%';
  const cpu = (percent: number): string => (cpuPerSecond ? fmt(percent / 100, 2) : fmt(percent, 0));
  return [
    ['conv/s', (l) => fmt(l.conversationsPerSecond)],
    ['turns/s', (l) => fmt(l.requestsPerSecond, 0)],
    ['turn p50 ms', (l) => fmt(l.turnLatencyMs.p50)],
    ['turn p95 ms', (l) => fmt(l.turnLatencyMs.p95)],
    ...KINDS.map((kind): Column<ConversationLevel> => [`${kind} p95`, (l) => fmt(l.byKindMs[kind].p95)]),
    ['errors', (l) => String(l.errors)],
    ['rows complete', (l) => `${l.rows.complete}/${l.rows.checked}`],
    [`CPU ${unit}`, (l) => cpu(l.usage.cpuPercent)],
    [`machine CPU ${unit}`, (l) => cpu(l.usage.machineCpuPercent)],
    ['RSS max MiB', (l) => fmt(l.usage.rssMbMax, 0)],
  ];
}

const describeThink = (thinkMs: ConversationLevelPlan['thinkMs']): string =>
  thinkMs ? `think ${thinkMs.min / 1000}–${thinkMs.max / 1000} s` : 'no think time';

/** Every conversation the client finished must be stored completed, at step 7, with its e-mail and its turns. */
async function checkRows(finished: { id: string; email: string }[]) {
  /** `incomplete`: present but not completed, wrong step, wrong e-mail, no label, or not exactly the turns. */
  const check = { checked: finished.length, complete: 0, missing: 0, incomplete: 0, examples: [] as string[] };
  if (finished.length === 0) return check;
  const client = new Client({ connectionString: testDatabaseUrl(BENCH_DATABASE), connectionTimeoutMillis: 5_000 });
  await client.connect();
  type Row = { id: string; status: string; step: number; email: string | null; label: string | null; turns: string };
  const { rows } = await client
    .query<Row>(
      `SELECT c.id, c.status, c.step, c.email, c.label, count(t.id) AS turns
         FROM conversation c LEFT JOIN conversation_turn t ON t.conversation_id = c.id
        WHERE c.id = ANY($1::uuid[])
        GROUP BY c.id`,
      [finished.map((conversation) => conversation.id)],
    )
    .finally(() => client.end());
  const stored = new Map(rows.map((row) => [row.id, row]));
  for (const { id, email } of finished) {
    const row = stored.get(id);
    const problems = row
      ? [
          row.status !== 'completed' && `status ${row.status}`,
          row.step !== 7 && `step ${row.step}`,
          row.email !== email && `email ${String(row.email)}`,
          row.label === null && 'no label',
          Number(row.turns) !== TURNS_PER_CONVERSATION && `${row.turns} turns`,
        ].filter(Boolean)
      : ['missing'];
    if (problems.length === 0) check.complete++;
    else if (row) check.incomplete++;
    else check.missing++;
    if (problems.length > 0 && check.examples.length < 5) check.examples.push(`${id}: ${problems.join(', ')}`);
  }
  return check;
}

/** One level for the plan's windows, with CPU and RSS of the service (`tree`: of its whole process tree). */
export function conversationLevel(
  ctx: BenchContext,
  service: BenchService,
  { participants, thinkMs }: ConversationLevelPlan,
  tree = false,
) {
  return withClient(service.baseUrl, participants, async (client) => {
    const meter = new UsageMeter(service.pid, tree);
    const { finished, ...run } = await driveConversations(client, ctx.corpus, {
      participants,
      thinkMs: thinkMs ?? undefined,
      warmupMs: ctx.plan.conversations.warmupMs,
      durationMs: ctx.plan.conversations.durationMs,
    });
    const usage = meter.stop();
    const rows = await checkRows(finished);
    ctx.log(
      `    ${service.name}, ${participants} participants (${describeThink(thinkMs)}): ${fmt(run.conversationsPerSecond, 1)} conversations/s, ` +
        `${fmt(run.requestsPerSecond, 0)} turns/s, turn p50 ${fmt(run.turnLatencyMs.p50, 1)} ms p95 ${fmt(run.turnLatencyMs.p95, 1)} ms, ` +
        `${run.errors} errors, rows ${rows.complete}/${rows.checked} complete, CPU ${fmt(usage.cpuPercent, 0)} % (machine ${fmt(usage.machineCpuPercent, 0)} %)`,
    );
    return { ...run, thinkMs, conversationsFinished: finished.length, usage, rows };
  });
}

export const conversations: Scenario = async (ctx) => {
  const service = await ctx.service('shipped');
  const levels: ConversationLevel[] = [];
  for (const level of ctx.plan.conversations.levels) levels.push(await conversationLevel(ctx, service, level));
  const result = { modelsDir: path.relative(REPO, SHIPPED_MODELS_DIR), expectedTurns: TURNS_PER_CONVERSATION, levels };
  const paced100 = levels.find((level) => level.participants === 100 && level.thinkMs !== null);
  const stress100 = levels.find((level) => level.participants === 100 && level.thinkMs === null);
  const stressNote = stress100
    ? `; without think time at 100: p95 ${fmt(stress100.turnLatencyMs.p95)} ms at ${fmt(stress100.requestsPerSecond, 0)} turns/s`
    : '';
  const pacedNote = paced100
    ? `${describeThink(paced100.thinkMs)}, ${fmt(paced100.requestsPerSecond, 0)} turns/s${stressNote}`
    : 'no paced level of 100 participants in this plan';
  const errors = sum(levels, (l) => l.errors);
  const notStored = sum(levels, (l) => l.rows.missing + l.rows.incomplete);
  const checked = sum(levels, (l) => l.rows.checked);
  const section = [
    `## Whole conversations — shipped model (${result.modelsDir}), real PostgreSQL`,
    '',
    'Paced participants wait a seeded think time before each message (the target is judged on them); without think',
    'time every participant fires its next turn the moment the reply lands: a stress test whose latency is set by',
    'throughput (p95 ≈ participants ÷ turns per second).',
    '',
    ...table(levels, [
      ['participants', (l) => String(l.participants)],
      ['think time', (l) => describeThink(l.thinkMs)],
      ...levelColumns(false),
    ]),
    `A finished conversation must be stored completed at step 7 with its e-mail, a label and ${result.expectedTurns} turns (greeting + 7 × message/reply; /closing not called).`,
    ...levels.flatMap((l) => [
      ...l.errorExamples.map((e) => `- error at ${l.participants} (${describeThink(l.thinkMs)}): ${e}`),
      ...l.rows.examples.map((e) => `- row problem at ${l.participants} (${describeThink(l.thinkMs)}): ${e}`),
    ]),
    '',
  ];
  return {
    result,
    section,
    targets: [
      evaluateTarget(TARGETS.pacedTurnP95, paced100?.turnLatencyMs.p95 ?? null, pacedNote),
      evaluateTarget(TARGETS.conversationErrors, errors, `${levels.length} levels`),
      evaluateTarget(TARGETS.conversationsNotStored, notStored, `${checked} conversations checked`),
    ],
  };
};
