import { randomBytes } from 'node:crypto';
import { LocalStack } from '../../scripts/local-stack/local-stack';
import { REPLICA_HEADER, type AccessLogEntry } from '../../scripts/local-stack/nginx-proxy';
import { queryDatabase, redisClient } from '../../scripts/local-stack/stack-storage';
import { checkoutDatabaseName, dropTestDatabase } from '../support/test-database';
import {
  failure,
  hygieneFailures,
  latencyOf,
  percentile,
  storedTurnsCheck,
  type Window,
  windowStats,
} from './fault-checks';
import { FaultReport, type FaultRow } from './fault-report';
import { ParticipantLoad, type RequestRecord } from './participant-load';
import { parseJson } from './response-hygiene';

/**
 * The stack `npm run stack:local` starts — K API replicas, one queue worker, nginx round robin in front — on the
 * machine's PostgreSQL and Redis (a database of its own named *_test, key prefixes of its own). 50 participants
 * run whole conversations through nginx while one replica is killed with SIGKILL and restarted; then the
 * repeatable jobs and (on a second stack with a small THROTTLE_LIMIT) the shared rate limit are checked.
 */

const REPLICAS = 2;
const PARTICIPANTS = 50;
const VICTIM = 'api-1';
/** Load before the kill: every replica warm and busy. */
const BEFORE_KILL_MS = 8000;
/** How long the killed replica stays dead before it is started again. */
const DEAD_MS = 2000;
/** After the restart, the restarted replica must answer a participant within this (nginx re-admits it). */
const BACK_IN_ROTATION_TIMEOUT_MS = 30_000;
const SETTLE_MS = 4000;
const DRAIN_MS = 30_000;
/** Block randomisation: a block holds each of the 8 arms once. */
const ARMS = 8;
/** Every 5 s (Bull's cron takes seconds), so a short run sees many schedules. */
const SNAPSHOT_CRON = '*/5 * * * * *';
const MIN_SNAPSHOT_SLOTS = 4;
const THROTTLE_LIMIT = 10;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings every service of both stacks runs with. */
const COMMON_ENV = {
  LOG_LEVEL: 'warn',
  ML_WORKERS: '1',
  // The machine's PostgreSQL is shared with other test runs: a few connections per process are plenty here.
  DB_POOL_SIZE: '8',
  SCHEDULE_METRICS_SNAPSHOT_CRON: SNAPSHOT_CRON,
};

function count<T>(items: T[], key: (item: T) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item) ?? 'none';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function emptyRow(fault: string): FaultRow {
  return {
    fault,
    requests: 0,
    ok2xx: 0,
    unavailable503: 0,
    other: 0,
    otherBreakdown: {},
    maxLatencyMs: 0,
    recoveryMs: {},
    turns: { acknowledged: 0, lost: 0, duplicated: 0 },
    conversations: { started: 0, completed: 0, interrupted: 0, unfinished: 0 },
    figures: {},
    failures: [],
  };
}

describe(`${REPLICAS} API replicas behind nginx (npm run stack:local) on the machine's PostgreSQL and Redis`, () => {
  const report = new FaultReport('replicas');
  const database = checkoutDatabaseName('combot_replicas_test');
  const prefix = `combot-replicas-${randomBytes(4).toString('hex')}`;
  const stacks: LocalStack[] = [];
  const exitHook = (): void => stacks.forEach((stack) => stack.killNow());
  let stack: LocalStack;
  const db = {
    query: <Row>(sql: string, params: unknown[] = []): Promise<Row[]> =>
      queryDatabase<Row>(stack.databaseUrl, sql, params),
  };

  beforeAll(async () => {
    process.once('exit', exitHook);
    // A database left by an interrupted run would skew the arm counts.
    await dropTestDatabase('combot_replicas_test');
    stack = await LocalStack.start({
      replicas: REPLICAS,
      port: 0,
      databaseName: database,
      dropDatabaseOnStop: true,
      redisKeyPrefix: prefix,
      env: { ...COMMON_ENV, THROTTLE_LIMIT: '0' },
    });
    stacks.push(stack);
  }, 300_000);

  afterAll(async () => {
    process.removeListener('exit', exitHook);
    try {
      report.write({
        replicas: REPLICAS,
        participants: PARTICIPANTS,
        beforeKillMs: BEFORE_KILL_MS,
        deadMs: DEAD_MS,
        snapshotCron: SNAPSHOT_CRON,
        throttleLimit: THROTTLE_LIMIT,
      });
    } finally {
      // In reverse: the throttle stack shares the first one's database, which the first one drops.
      for (const started of [...stacks].reverse()) await started.stop();
    }
  }, 120_000);

  it(`${VICTIM} killed with SIGKILL under ${PARTICIPANTS} participants and restarted: no turn lost or doubled, every conversation completes, arms stay within one block`, async () => {
    const name = `replica SIGKILL + restart (${REPLICAS} behind nginx)`;
    const load = new ParticipantLoad(stack.proxyUrl, PARTICIPANTS);
    const victimAddress = `127.0.0.1:${stack.replica(VICTIM).port}`;
    const phaseStart = Date.now();
    let killAt = Number.NaN;
    let restartAt = Number.NaN;
    let readyAt: number | null = null;
    const answeredByVictimAfter = (from: number): RequestRecord | undefined =>
      load.records.find((r) => r.replica === VICTIM && r.status === 200 && r.startedAt >= from);
    load.start();
    try {
      await sleep(BEFORE_KILL_MS);
      killAt = Date.now();
      await stack.killReplica(VICTIM);
      await sleep(DEAD_MS);
      restartAt = Date.now();
      await stack.restartReplica(VICTIM);
      readyAt = Date.now();
      const deadline = readyAt + BACK_IN_ROTATION_TIMEOUT_MS;
      while (Date.now() < deadline && !answeredByVictimAfter(restartAt)) await sleep(250);
      await sleep(SETTLE_MS);
    } finally {
      await load.stop(DRAIN_MS);
    }

    const records = load.records;
    const window: Window = { start: killAt, end: readyAt ?? Date.now() };
    const stored = await storedTurnsCheck(name, db, load);
    const accounts = [...load.conversations.values()];
    const accessLog = stack.accessLog().filter((entry) => entry.at >= phaseStart);

    // Requests nginx passed to the other replica after the first one failed: those the kill interrupted.
    const retried = accessLog.filter((entry) => entry.upstreams.length > 1);
    const retriedIds = new Set(retried.map((entry) => entry.requestId));
    const retriedConversations = new Set(
      records
        .filter((r) => r.requestId !== null && retriedIds.has(r.requestId) && r.conversationId !== null)
        .map((r) => r.conversationId as string),
    );
    const clientInterrupted = accounts.filter((a) => a.interrupted).map((a) => a.conversationId);
    const interrupted = new Set([...retriedConversations, ...clientInterrupted]);
    const interruptedUnfinished = [...interrupted].filter((id) => !load.conversations.get(id)?.completed);
    // nginx's own answer when no replica could (its 502/504 turned into a coded 503).
    const proxyOwn503 = accessLog.filter(
      (entry: AccessLogEntry) => entry.status === 503 && entry.upstreamStatuses.at(-1) !== '503',
    );

    const arms = await db.query<{ arm: string; n: number }>(
      `SELECT brand || '/' || think_level || '/' || feel_level AS arm, count(*)::int AS n FROM conversation GROUP BY 1`,
    );
    const armCounts = arms.map((row) => row.n);
    while (armCounts.length < ARMS) armCounts.push(0);
    const started = armCounts.reduce((sum, n) => sum + n, 0);
    const armSpread = Math.max(...armCounts) - Math.min(...armCounts);

    const status5xx = records.filter((r) => r.status !== null && r.status >= 500);
    const beforeKill = records.filter((r) => r.endedAt < killAt);
    const whileDead = records.filter((r) => r.startedAt >= killAt && r.startedAt < (readyAt ?? Infinity));
    const afterRestart = records.filter((r) => readyAt !== null && r.startedAt >= readyAt);
    const greetedBy = count(
      records.filter((r) => r.kind === 'greet' && r.status === 200),
      (r) => r.replica,
    );
    const firstTurnAfterKill = records
      .filter((r) => r.kind === 'turn' && r.status === 200 && r.startedAt >= killAt)
      .reduce<number | null>((first, r) => (first === null ? r.endedAt : Math.min(first, r.endedAt)), null);
    const back = answeredByVictimAfter(restartAt);
    const victimBusyBeforeKill = records.filter(
      (r) => r.replica === VICTIM && r.endedAt >= killAt - 2000 && r.endedAt < killAt,
    ).length;

    const row: FaultRow = {
      ...emptyRow(name),
      ...windowStats(records, window),
      recoveryMs: {
        firstTurn: firstTurnAfterKill === null ? null : firstTurnAfterKill - killAt,
        ready: readyAt === null ? null : readyAt - restartAt,
        backInRotation: back && readyAt !== null ? back.endedAt - readyAt : null,
      },
      turns: { acknowledged: stored.acknowledged, lost: stored.lost, duplicated: stored.duplicated },
      conversations: {
        started: accounts.length,
        completed: accounts.filter((a) => a.completed).length,
        interrupted: interrupted.size,
        unfinished: accounts.filter((a) => !a.completed).length,
      },
      figures: {
        totalRequests: records.length,
        total2xx: records.filter((r) => r.status === 200).length,
        total5xx: status5xx.length,
        answeredBeforeKill: JSON.stringify(count(beforeKill, (r) => r.replica)),
        answeredWhileDead: JSON.stringify(count(whileDead, (r) => r.replica)),
        answeredAfterRestart: JSON.stringify(count(afterRestart, (r) => r.replica)),
        victimAnswersInLast2sBeforeKill: victimBusyBeforeKill,
        proxyRetriedOnOtherReplica: retried.length,
        proxyRetriedFromVictim: retried.filter((entry) => entry.upstreams[0] === victimAddress).length,
        proxyRetriedPosts: retried.filter((entry) => entry.method === 'POST').length,
        proxyOwn503: proxyOwn503.length,
        conversationsRetriedByProxy: retriedConversations.size,
        conversationsInterruptedForClient: clientInterrupted.length,
        interruptedCompleted: `${interrupted.size - interruptedUnfinished.length}/${interrupted.size}`,
        greetingsByReplica: JSON.stringify(greetedBy),
        conversationsStartedInDatabase: started,
        fullBlocks: Math.floor(started / ARMS),
        armCounts: JSON.stringify(Object.fromEntries(arms.map((row) => [row.arm, row.n]))),
        armSpread,
        turnP95Ms: percentile(records.filter((r) => r.kind === 'turn').map(latencyOf), 95),
      },
    };
    row.failures = [
      ...hygieneFailures(name, records, [], window),
      ...failure(
        name,
        'nginx always answers (no connection error or timeout at the proxy)',
        records.filter((r) => r.outcome !== 'http').map((r) => `${r.method} ${r.path}: ${r.outcome} ${r.body}`),
      ),
      ...failure(
        name,
        'no 5xx reaches a participant while one replica is up (nginx passes failed requests to it)',
        status5xx.map((r) => `${r.method} ${r.path} → ${r.status} ${r.body.slice(0, 200)}`),
      ),
      ...stored.failures,
      ...failure(
        name,
        'every interrupted conversation (retried by nginx or by the participant) completes',
        interruptedUnfinished.map((id) => `conversation ${id.slice(0, 8)}`),
      ),
      ...failure(name, 'protocol (each answer moves the conversation exactly one step)', load.anomalies),
      ...failure(
        name,
        `arms within one block across replicas (per-arm conversation counts: max − min ≤ 1)`,
        armSpread <= 1 ? [] : [`spread ${armSpread}: ${row.figures.armCounts}`],
      ),
      ...failure(
        name,
        'setup (both replicas started conversations, so the arm balance spans replicas)',
        Object.keys(greetedBy).filter((replica) => replica.startsWith('api-')).length === REPLICAS
          ? []
          : [`greetings by replica: ${JSON.stringify(greetedBy)}`],
      ),
      ...failure(
        name,
        `setup (${VICTIM} was serving participants when it was killed)`,
        victimBusyBeforeKill > 0 ? [] : ['no answer from it in the 2 s before the kill'],
      ),
      ...failure(
        name,
        `${VICTIM} restarted and back in nginx's rotation within ${BACK_IN_ROTATION_TIMEOUT_MS / 1000} s`,
        back ? [] : [readyAt === null ? 'it did not become ready' : 'no participant was answered by it'],
      ),
      ...failure(
        name,
        'no other process of the stack exited',
        stack.unexpectedExits.map((exit) => `${exit.name} exited (${exit.code}): ${exit.outputTail.slice(-300)}`),
      ),
      ...failure(
        name,
        `load sanity (at least ${PARTICIPANTS} conversations completed)`,
        row.conversations.completed >= PARTICIPANTS ? [] : [`${row.conversations.completed} completed`],
      ),
    ];
    report.add(row);
    expect(row.failures).toEqual([]);
  }, 300_000);

  it(`each repeatable job runs once per schedule, though ${REPLICAS} replicas, the worker and a restart registered it`, async () => {
    const name = 'repeatable jobs once per schedule';
    const queue = `${stack.bullPrefix}:maintenance`;
    const redis = redisClient(stack.redis);
    await redis.connect();
    try {
      const snapshotJobs = async (): Promise<{ id: string; slot: string; hash: string; rowId: string | null }[]> => {
        const ids = await redis.zrange(`${queue}:completed`, 0, -1);
        const jobs = await Promise.all(ids.map(async (id) => ({ id, job: await redis.hgetall(`${queue}:${id}`) })));
        return jobs
          .filter(({ job }) => job.name === 'metrics-snapshot')
          .map(({ id, job }) => {
            const [, hash, slot] = id.split(':');
            // The processor returns the id of the row it stored (a bigint, as a string).
            const value = parseJson(job.returnvalue ?? '') as { id?: string | number } | null;
            return { id, slot, hash, rowId: value?.id === undefined ? null : String(value.id) };
          });
      };
      // The stack has run for a minute or so by now; on a slow start, wait for a few more schedules.
      const deadline = Date.now() + 30_000;
      let jobs = await snapshotJobs();
      while (new Set(jobs.map((job) => job.slot)).size < MIN_SNAPSHOT_SLOTS && Date.now() < deadline) {
        await sleep(1000);
        jobs = await snapshotJobs();
      }
      const rows = await db.query<{ id: string; pid: number; minute: string }>(
        `SELECT id::text, pid, to_char(date_trunc('minute', taken_at), 'HH24:MI') AS minute FROM metrics_snapshot`,
      );
      const registrations = (await redis.zrange(`${queue}:repeat`, 0, -1)).filter((key) =>
        key.startsWith('metrics-snapshot:'),
      );
      const perSlot = count(jobs, (job) => job.slot);
      const doubled = Object.entries(perSlot).filter(([, n]) => n > 1);
      const slots = Object.keys(perSlot)
        .map(Number)
        .sort((a, b) => a - b);
      const expectedSlots = slots.length > 1 ? Math.round((slots[slots.length - 1] - slots[0]) / 5000) + 1 : 0;
      const jobRowIds = count(jobs, (job) => job.rowId);
      const rowIds = new Set(rows.map((row) => row.id));
      const workerPid = stack.worker?.pid ?? null;

      const row: FaultRow = {
        ...emptyRow(name),
        figures: {
          registeringProcesses: REPLICAS + 2,
          repeatRegistrations: registrations.length,
          scheduleSlots: slots.length,
          slotsMissed: Math.max(0, expectedSlots - slots.length),
          completedJobs: jobs.length,
          snapshotRows: rows.length,
          rowsPerMinute: JSON.stringify(count(rows, (r) => r.minute)),
          processesThatRanIt: JSON.stringify(count(rows, (r) => String(r.pid))),
          workerPid,
        },
      };
      row.failures = [
        ...failure(
          name,
          `setup (at least ${MIN_SNAPSHOT_SLOTS} schedules of ${SNAPSHOT_CRON} ran)`,
          slots.length >= MIN_SNAPSHOT_SLOTS ? [] : [`${slots.length} ran`],
        ),
        ...failure(
          name,
          'one repeatable registration for metrics-snapshot',
          registrations.length === 1 ? [] : [registrations.join(' | ') || 'none'],
        ),
        ...failure(
          name,
          'each schedule slot run once',
          doubled.map(([slot, n]) => `slot ${new Date(Number(slot)).toISOString()} ran ${n} times`),
        ),
        ...failure(name, 'one metrics_snapshot row per completed run, and no other', [
          ...Object.entries(jobRowIds)
            .filter(([id, n]) => n > 1 || !rowIds.has(id))
            .map(([id, n]) => `row ${id}: ${n} job(s), ${rowIds.has(id) ? 'stored' : 'not stored'}`),
          ...rows.filter((r) => !(r.id in jobRowIds)).map((r) => `row ${r.id} (pid ${r.pid}): no completed job`),
        ]),
        ...failure(
          name,
          'run by the queue worker only (QUEUE_PROCESS_IN_API=false)',
          rows.filter((r) => r.pid !== workerPid).map((r) => `row ${r.id} by pid ${r.pid}`),
        ),
      ];
      report.add(row);
      expect(row.failures).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  it(`the rate limit is shared: a client over THROTTLE_LIMIT=${THROTTLE_LIMIT} through nginx is throttled on every replica`, async () => {
    const name = 'rate limit shared across replicas';
    // A stack of its own (same database, separate key prefix) with a small limit; no worker needed.
    const limited = await LocalStack.start({
      replicas: REPLICAS,
      port: 0,
      databaseUrl: stack.databaseUrl,
      redisKeyPrefix: `${prefix}-throttle`,
      worker: false,
      env: { ...COMMON_ENV, THROTTLE_LIMIT: String(THROTTLE_LIMIT), THROTTLE_TTL_SECONDS: '120' },
    });
    stacks.push(limited);
    interface Answer {
      via: string;
      status: number;
      replica: string | null;
      retryAfter: string | null;
      code: string | null;
      ms: number;
    }
    const answers: Answer[] = [];
    const ask = async (baseUrl: string, via: string, forwardedFor: string | null): Promise<Answer> => {
      const startedAt = Date.now();
      const response = await fetch(`${baseUrl}/api/random/closing/`, {
        headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
        signal: AbortSignal.timeout(15_000),
      });
      const body = parseJson(await response.text()) as { code?: unknown } | null;
      const answer = {
        via,
        status: response.status,
        replica: response.headers.get(REPLICA_HEADER.toLowerCase()),
        retryAfter: response.headers.get('retry-after'),
        code: typeof body?.code === 'string' ? body.code : null,
        ms: Date.now() - startedAt,
      };
      answers.push(answer);
      return answer;
    };
    // Documentation addresses (RFC 5737): one client that goes over the limit, one that does not.
    const client = '203.0.113.10';
    const otherClient = '203.0.113.20';

    const viaProxy: Answer[] = [];
    for (let i = 0; i < THROTTLE_LIMIT + 2 * REPLICAS; i++) viaProxy.push(await ask(limited.proxyUrl, 'nginx', client));
    const allowed = viaProxy.slice(0, THROTTLE_LIMIT);
    const beyond = viaProxy.slice(THROTTLE_LIMIT);
    const direct = await Promise.all(limited.replicas.map((replica) => ask(replica.url, replica.name, client)));
    const other = await ask(limited.proxyUrl, 'nginx', otherClient);
    const throttled = (a: Answer): boolean => a.status === 429 && a.code === 'HTTP.TOO_MANY_REQUESTS' && !!a.retryAfter;
    const show = (a: Answer): string =>
      `${a.via}${a.replica ? ` (${a.replica})` : ''} → ${a.status} ${a.code ?? ''} Retry-After ${a.retryAfter ?? 'none'}`;

    const row: FaultRow = {
      ...emptyRow(name),
      requests: answers.length,
      ok2xx: answers.filter((a) => a.status === 200).length,
      other: answers.filter((a) => a.status !== 200).length,
      otherBreakdown: count(
        answers.filter((a) => a.status !== 200),
        (a) => String(a.status),
      ),
      maxLatencyMs: Math.max(...answers.map((a) => a.ms)),
      figures: {
        limit: THROTTLE_LIMIT,
        allowedByReplica: JSON.stringify(count(allowed, (a) => a.replica)),
        throttledByReplica: JSON.stringify(count(beyond.filter(throttled), (a) => a.replica)),
        directToEachReplica: direct.map(show).join('; '),
        otherClientViaNginx: other.status,
      },
    };
    row.failures = [
      ...failure(name, `the first ${THROTTLE_LIMIT} requests of the client pass, spread over every replica`, [
        ...allowed.filter((a) => a.status !== 200).map(show),
        ...(new Set(allowed.map((a) => a.replica)).size === REPLICAS
          ? []
          : [`answered by ${JSON.stringify(count(allowed, (a) => a.replica))} only`]),
      ]),
      ...failure(
        name,
        'beyond the limit, every replica answers 429 HTTP.TOO_MANY_REQUESTS with Retry-After (one counter for all)',
        [
          ...beyond.filter((a) => !throttled(a)).map(show),
          ...(new Set(beyond.map((a) => a.replica)).size === REPLICAS
            ? []
            : [`only ${JSON.stringify(count(beyond, (a) => a.replica))} answered beyond the limit`]),
        ],
      ),
      ...failure(
        name,
        'the client is throttled on each replica directly too (the counter is in Redis, not in nginx)',
        direct.filter((a) => !throttled(a)).map(show),
      ),
      ...failure(
        name,
        'another client (another X-Forwarded-For address through nginx) is not throttled',
        other.status === 200 ? [] : [show(other)],
      ),
    ];
    report.add(row);
    expect(row.failures).toEqual([]);
  }, 300_000);
});
