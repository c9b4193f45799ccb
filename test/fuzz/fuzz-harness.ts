import fc from 'fast-check';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';
import { type FuzzContext, type RouteGroup, type RouteGroupName, routeGroups } from './arbitraries';
import { describeCase, featuresOf, type FuzzCase, renderCase } from './fuzz-case';
import { FuzzStats } from './fuzz-stats';
import { checkResponse, type Violation } from './oracle';
import { type RawRequest, type RawResponse, sendRaw } from './raw-http';

/** The origin the app allows (createTestApp sets CORS_ORIGINS to it). */
const ALLOWED_ORIGIN = 'http://client.test';
const REDIS_HOST = '127.0.0.1';

/** How many conversations of each entry point the harness greets and drives before fuzzing, and how far. */
const POOL_STEPS = [0, 1, 3, 6, 7] as const;
const ENTRIES = ['random', 'chatbot', 'lulu'] as const;
const POOL_JOBS = 3;

/**
 * Heap growth allowed across a fuzz run, measured after a full collection against a baseline taken after a warm-up
 * that visits every route group. The service keeps no per-request state on the heap (cache and jobs live in Redis,
 * metric labels are route patterns, the latency window is a fixed ring), so what may still grow is code compiled for
 * paths the warm-up missed and V8's own bookkeeping: a few MB (measured: +7 MB over the CI run, +10 MB over the long
 * run's 58,000 requests). Keeping each request's body (up to 100 kB) would pass 16 MB within a few hundred requests,
 * and a leak of 300 bytes per request within the long run.
 */
export const HEAP_GROWTH_BOUND_BYTES = 16 * 1024 * 1024;

/** How a run is sized and seeded: `FUZZ_RUNS` (runs per weight unit), `FUZZ_SEED`, `FUZZ_PATH` to replay one case. */
export interface FuzzSettings {
  runs: number;
  seed: number;
  path?: string;
}

export function fuzzSettings(defaultRuns: number): FuzzSettings {
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const seed = process.env.FUZZ_SEED === undefined ? freshSeed() : Number(process.env.FUZZ_SEED);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS=${process.env.FUZZ_RUNS}: a positive integer`);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED=${process.env.FUZZ_SEED}: an integer`);
  return { runs, seed, path: process.env.FUZZ_PATH || undefined };
}

/** A 32-bit seed as fast-check draws its own, but drawn here so it can be printed before anything runs. */
function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x100000000)) | 0;
}

/** The answer of one case broke rules that no earlier failure of the run explains. */
export class ViolationError extends Error {
  constructor(
    readonly violations: Violation[],
    readonly fuzzCase: FuzzCase,
    readonly features: ReadonlySet<string>,
    request: RawRequest,
    response: RawResponse | null,
  ) {
    super(
      [
        ...violations.map((violation) => `${violation.rule}: ${violation.detail}`),
        `request: ${describeCase(fuzzCase, request)}`,
        response
          ? `response: ${response.status} ${JSON.stringify(response.headers['content-type'])} ${JSON.stringify(response.text.slice(0, 400))}`
          : 'response: none',
        `features: ${[...features].join(', ') || '(none)'}`,
      ].join('\n'),
    );
    this.name = 'ViolationError';
  }
}

/**
 * A failure already shrunk and reported: later cases that break the same rule with the same features are only
 * counted. A failure with no feature (ordinary input) is known on its own route only.
 */
export interface KnownFailure {
  rule: string;
  route: string | null;
  features: readonly string[];
}

function explains(failure: KnownFailure, violation: Violation, route: string, features: ReadonlySet<string>): boolean {
  return (
    failure.rule === '*' ||
    (failure.rule === violation.rule &&
      (failure.route === null || failure.route === route) &&
      failure.features.every((feature) => features.has(feature)))
  );
}

export interface FoundFailure {
  group: string;
  route: string;
  rules: string[];
  features: string[];
  seed: number;
  path: string | null;
  /** Runs before the failing one, and how many times fast-check shrank it. */
  runsBefore: number;
  shrinks: number;
  /** fast-check's report: the seed, the path, the shrunk counterexample and the broken rules. */
  report: string;
}

export interface GroupOutcome {
  group: string;
  runsAsked: number;
  /** Cases fast-check generated (shrinking excluded). */
  runs: number;
  /** Requests sent, shrinking included. */
  requests: number;
  failures: FoundFailure[];
  seconds: number;
}

export interface RunOptions {
  runs: number;
  seed: number;
  path?: string;
  /** Go on after a failure (the long run), with the failure's kind no longer stopping the run. */
  continueAfterFailure: boolean;
  /** Failures already reported, shared across groups: grows as this group finds new ones. */
  known?: KnownFailure[];
  /** After this many distinct failures in a group, the rest of its runs are only counted. */
  maxFailures?: number;
}

/** Conversation rows that break the invariants a crash in the middle of a step would break. */
export interface DataSafetyReport {
  conversations: number;
  wellFormed: number;
  problems: string[];
}

function errorCodeOf(response: RawResponse): string | undefined {
  try {
    const body = JSON.parse(response.text) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

/** `global.gc` when node runs with --expose-gc; otherwise the same switch jest's leak detector flips at run time. */
function gcFunction(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * The whole application in this process on a real socket (fresh `*_test` database, Redis under a key prefix of its
 * own, the shipped model, one inference worker, no rate limit), state for the generators to draw on, and the runner
 * that sends generated cases and checks every answer.
 */
export class FuzzHarness {
  readonly stats = new FuzzStats();
  /** Called every 1,000 requests, for a long run's progress line. */
  onProgress: ((requests: number) => void) | null = null;

  private constructor(
    readonly testApp: TestApp,
    readonly port: number,
    readonly context: FuzzContext,
    private readonly database: string,
    private readonly redisPrefix: string,
  ) {}

  static async start(database: string): Promise<FuzzHarness> {
    const redisPrefix = `combot-fuzz-${randomUUID().slice(0, 8)}`;
    const adminKey = `fuzz-admin-${randomUUID()}`;
    const testApp = await createTestApp(database, {
      ML_WORKERS: '1',
      THROTTLE_LIMIT: '0',
      ADMIN_API_KEY: adminKey,
      // The fuzzer sends wrong keys by the thousand: locked out, its address would see only 429s on the admin
      // routes. The lockout has tests of its own (test/e2e/console-auth.e2e-spec.ts).
      ADMIN_LOGIN_MAX_FAILURES: '1000',
      ADMIN_LOGIN_WINDOW_SECONDS: '1',
      // Redis mode, so the dashboard and Bull's job routes exist; jobs run in this process.
      REDIS_HOST,
      REDIS_KEY_PREFIX: redisPrefix,
      QUEUE_PROCESS_IN_API: 'true',
      // Every 500 would log a stack; the fuzzer reports failures itself.
      LOG_LEVEL: 'silent',
      CORS_ORIGINS: ALLOWED_ORIGIN,
    });
    await testApp.app.listen(0, '127.0.0.1');
    const port = (testApp.app.getHttpServer().address() as AddressInfo).port;
    const send = (method: string, path: string, body?: unknown) =>
      sendRaw(port, {
        method,
        path,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      });

    const conversationIds: string[] = [];
    for (const entry of ENTRIES) {
      for (const steps of POOL_STEPS) conversationIds.push(await wellFormedConversation(send, entry, steps));
    }
    const jobIds: string[] = [];
    for (let i = 0; i < POOL_JOBS; i++) {
      const accepted = await send('POST', '/api/ml/classify/async', { text: `My parcel number ${i} never arrived.` });
      jobIds.push((JSON.parse(accepted.text) as { jobId: string }).jobId);
    }
    // Let the jobs finish, so a regression test reading the classifier's counters sees nothing else running.
    for (const id of jobIds) {
      for (let tries = 0; tries < 100; tries++) {
        const job = JSON.parse((await send('GET', `/api/jobs/ml/${id}`)).text) as { state?: string };
        if (job.state === 'completed' || job.state === 'failed') break;
        await sleep(100);
      }
    }
    const context: FuzzContext = { conversationIds, jobIds, adminKey, allowedOrigin: ALLOWED_ORIGIN };
    return new FuzzHarness(testApp, port, context, database, redisPrefix);
  }

  get dataSource(): DataSource {
    return this.testApp.app.get(DataSource);
  }

  groups(): RouteGroup[] {
    return routeGroups(this.context);
  }

  group(name: RouteGroupName): RouteGroup {
    const found = this.groups().find((group) => group.name === name);
    if (!found) throw new Error(`no route group ${name}`);
    return found;
  }

  /** Greets on `entry` and answers `steps` turns the way the React page does; the conversation's id. */
  converse(entry: (typeof ENTRIES)[number], steps: number): Promise<string> {
    return wellFormedConversation(
      (method, path, body) =>
        this.send({
          method,
          path,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        }),
      entry,
      steps,
    );
  }

  /**
   * A few cases of every group with every failure only counted, so code that runs once (first compilation of each
   * path, lazily created clients) is in the memory baseline rather than counted as growth.
   */
  async warmUp(runsPerGroup: number, seed: number): Promise<void> {
    for (const group of this.groups()) {
      await fc.check(this.property(group, [{ rule: '*', route: null, features: [] }]), { numRuns: runsPerGroup, seed });
    }
  }

  send(request: RawRequest): Promise<RawResponse> {
    return sendRaw(this.port, request);
  }

  /** The property of a route group: every answer to every generated case obeys every rule. */
  property(group: RouteGroup, known: readonly KnownFailure[] = []): fc.IAsyncProperty<[FuzzCase]> {
    return fc.asyncProperty(group.arbitrary, async (fuzzCase) => {
      const request = renderCase(fuzzCase);
      let response: RawResponse | null = null;
      let violations: Violation[];
      try {
        response = await this.send(request);
        this.stats.record(fuzzCase.route, response.status, errorCodeOf(response), response.elapsedMs);
        if (this.stats.cases % 1000 === 0) this.onProgress?.(this.stats.cases);
        violations = checkResponse(fuzzCase, request, response, { allowedOrigins: [this.context.allowedOrigin] });
      } catch (error) {
        this.stats.transportErrors++;
        violations = [{ rule: 'answered', detail: error instanceof Error ? error.message : String(error) }];
      }
      for (const violation of violations) this.stats.recordViolation(violation.rule, fuzzCase.route);
      const features = featuresOf(fuzzCase);
      const fresh = violations.filter(
        (violation) => !known.some((failure) => explains(failure, violation, fuzzCase.route, features)),
      );
      if (fresh.length > 0) throw new ViolationError(fresh, fuzzCase, features, request, response);
    });
  }

  /**
   * Runs a group's property. Stopping at the first failure, it is an ordinary property test; going on after failures
   * (the long run), each failure is shrunk and reported once, and the run goes on with a fresh seed to its full count.
   */
  async runGroup(group: RouteGroup, options: RunOptions): Promise<GroupOutcome> {
    const started = Date.now();
    const requestsBefore = this.stats.cases + this.stats.transportErrors;
    const known = options.known ?? [];
    const failures: FoundFailure[] = [];
    let remaining = options.runs;
    let seed = options.seed;
    let runs = 0;
    while (remaining > 0) {
      const details = await fc.check(this.property(group, known), {
        numRuns: remaining,
        seed,
        path: failures.length === 0 ? options.path : undefined,
      });
      runs += details.numRuns;
      remaining -= details.numRuns;
      if (!details.failed) break;
      const error = details.errorInstance;
      // fast-check 4 keeps the predicate's error as the cause rather than in its report: add it.
      const got = error instanceof Error ? error.message : String(error);
      const report = [
        fc.defaultReportMessage(details) ?? '',
        `Got: ${got}`,
        `Replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}`,
      ].join('\n');
      const violationError = error instanceof ViolationError ? error : null;
      failures.push({
        group: group.name,
        route: violationError?.fuzzCase.route ?? group.name,
        rules: violationError?.violations.map((violation) => violation.rule) ?? ['harness error'],
        features: violationError ? [...violationError.features] : [],
        seed: details.seed,
        path: details.counterexamplePath,
        runsBefore: details.numRuns - 1,
        shrinks: details.numShrinks,
        report,
      });
      if (!options.continueAfterFailure || !violationError) break;
      const features = [...violationError.features];
      for (const violation of violationError.violations) {
        known.push({ rule: violation.rule, route: features.length ? null : violationError.fuzzCase.route, features });
      }
      if (failures.length >= (options.maxFailures ?? 10)) known.push({ rule: '*', route: null, features: [] });
      // A new seed, derived so the whole long run replays from its one printed seed.
      seed = (seed + 0x9e3779b9) | 0;
    }
    // A group's give-up marker must not silence the groups after it.
    known.splice(0, known.length, ...known.filter((failure) => failure.rule !== '*'));
    return {
      group: group.name,
      runsAsked: options.runs,
      runs,
      requests: this.stats.cases + this.stats.transportErrors - requestsBefore,
      failures,
      seconds: (Date.now() - started) / 1000,
    };
  }

  /**
   * Every conversation's `step` equals its answered steps: one participant message and one reply for each of steps
   * 0…step-1 and none beyond; classified from step 1 on; completed exactly at step 7 with an email. The harness's
   * well-formed conversations are all there, each with its one greeting.
   */
  async dataSafety(): Promise<DataSafetyReport> {
    const rows = await this.dataSource.query<
      {
        id: string;
        step: number;
        status: string;
        labelled: boolean;
        emailed: boolean;
        replies: number;
        messages: number;
        reply_steps: number;
        last_reply_step: number | null;
        greetings: number;
      }[]
    >(
      `SELECT c.id, c.step, c.status, c.label IS NOT NULL AS labelled, c.email IS NOT NULL AS emailed,
              count(t.id) FILTER (WHERE t.kind = 'reply')::int AS replies,
              count(t.id) FILTER (WHERE t.kind = 'message')::int AS messages,
              count(DISTINCT t.step) FILTER (WHERE t.kind = 'reply')::int AS reply_steps,
              max(t.step) FILTER (WHERE t.kind = 'reply') AS last_reply_step,
              count(t.id) FILTER (WHERE t.kind = 'greeting')::int AS greetings
         FROM conversation c LEFT JOIN conversation_turn t ON t.conversation_id = c.id
        GROUP BY c.id`,
    );
    const problems: string[] = [];
    for (const row of rows) {
      const broken: string[] = [];
      if (row.replies !== row.step || row.messages !== row.step || row.reply_steps !== row.step) {
        broken.push(`${row.replies} replies and ${row.messages} messages over ${row.reply_steps} steps`);
      }
      if ((row.last_reply_step ?? -1) !== row.step - 1) broken.push(`last answered step ${row.last_reply_step}`);
      if (row.labelled !== row.step > 0) broken.push(`label ${row.labelled ? 'set' : 'missing'}`);
      if ((row.status === 'completed') !== (row.step === 7) || row.emailed !== (row.step === 7)) {
        broken.push(`status ${row.status}, email ${row.emailed ? 'set' : 'missing'}`);
      }
      if (broken.length) problems.push(`conversation ${row.id} at step ${row.step}: ${broken.join('; ')}`);
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of this.context.conversationIds) {
      const row = byId.get(id);
      if (!row) problems.push(`well-formed conversation ${id} is missing`);
      else if (row.greetings !== 1) problems.push(`well-formed conversation ${id} has ${row.greetings} greetings`);
    }
    return { conversations: rows.length, wellFormed: this.context.conversationIds.length, problems };
  }

  /** Heap and RSS after a full collection when one can be forced, else after letting the process settle. */
  async memoryAfterGc(): Promise<{ heapUsedBytes: number; rssBytes: number; collected: 'forced' | 'settled' }> {
    const gc = gcFunction();
    if (gc) {
      // Twice, with a turn of the event loop between: finalizers of the first pass free more in the second.
      gc();
      await sleep(50);
      gc();
    } else {
      await sleep(2000);
    }
    const { heapUsed, rss } = process.memoryUsage();
    return { heapUsedBytes: heapUsed, rssBytes: rss, collected: gc ? 'forced' : 'settled' };
  }

  async close(): Promise<void> {
    await this.testApp.app.close();
    await dropTestDatabase(this.database);
    const redis = new Redis({ host: REDIS_HOST, lazyConnect: true });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}:*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}

type Send = (method: string, path: string, body?: unknown) => Promise<RawResponse>;

const POOL_MESSAGES = [
  'My parcel never arrived although tracking says delivered.',
  'It was due last Tuesday.',
  'No updates since then.',
  'I called the carrier twice.',
  'I would like a refund.',
  'That is all.',
  'participant@example.org',
];

/** A conversation the way the React page holds one: greeted, then `steps` turns echoing its scenario and index. */
async function wellFormedConversation(send: Send, entry: (typeof ENTRIES)[number], steps: number): Promise<string> {
  const greeting = JSON.parse((await send('GET', `/api/${entry}/initial/`)).text) as {
    scenario: { conversation_id: string };
  };
  let scenario: unknown = greeting.scenario;
  let index = 0;
  for (let step = 0; step < steps; step++) {
    const answer = await send('POST', `/api/${entry}/`, {
      message: POOL_MESSAGES[step],
      index,
      timer: 5 * (step + 1),
      classType: '',
      chatLog: [],
      messageTypeLog: [],
      scenario,
    });
    if (answer.status !== 200) throw new Error(`well-formed turn ${step} answered ${answer.status}: ${answer.text}`);
    const body = JSON.parse(answer.text) as { index: number; scenario: unknown };
    index = body.index;
    scenario = body.scenario;
  }
  return greeting.scenario.conversation_id;
}
