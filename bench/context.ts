/** What the scenarios share: the plan, the corpus, and the services, started on first use and kept warm to the end. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startService, stopService, waitForHttp, type ServiceProcess } from '../test/support/service-process';
import { nodeFlagsOfScript } from '../test/support/package-scripts';
import { deleteKeys } from '../test/support/redis-keys';
import { dropTestDatabase, testDatabaseUrl } from '../test/support/test-database';
import { ComplaintCorpus } from './corpus';
import { DEFAULT_MODELS_DIR, MODEL_IDS } from '../tools/model/distilbert/model-ids';
import { settings } from './markdown';
import type { Plan } from './plan';
import { interleavedOrder } from './stats';
import type { TargetResult } from './targets';

export const REPO = path.resolve(__dirname, '..');
export const SERVICE_ENTRY = 'dist/src/main.js';
/** test/support tags it per checkout, so two checkouts benchmarking on one server keep apart. */
export const BENCH_DATABASE = 'combot_bench_test';
/** The console scenario seeds a study of its own, apart from the conversations the load scenarios store. */
export const CONSOLE_DATABASE = 'combot_console_bench_test';
export const CONSOLE_ADMIN_KEY = 'console-bench-admin-key-0123456789';
/** API_PROCESSES's shipped default: one HTTP process per core. */
export const CLUSTER_PROCESSES = os.availableParallelism();

/** Tuning variants: one setting of the heavy profile changed each. */
export const TUNING_VARIANTS = {
  'heavy-nice0': { ML_WORKER_NICE: '0' },
  // Batches can only form if the semaphore lets more requests reach the pool than there are workers.
  'heavy-batch8': {
    ML_MICRO_BATCH_MAX: '8',
    ML_MICRO_BATCH_WAIT_MS: '2',
    ML_MICRO_BATCH_MAX_AGE_MS: '50',
    MAX_CONCURRENT_ML_OPERATIONS: '32',
  },
  // The service's own defaults: no micro-batching, 3 requests in inference at once.
  'heavy-nobatch': { ML_MICRO_BATCH_MAX: '1', MAX_CONCURRENT_ML_OPERATIONS: '3' },
  'heavy-1x2': { ML_WORKERS: '1', ML_INTRA_OP_THREADS: '2' },
  'heavy-nopipe': { ML_WORKER_PIPELINE_DEPTH: '1' },
} as const satisfies Record<string, Record<string, string>>;
type TuningVariant = keyof typeof TUNING_VARIANTS;

export type ServiceName = 'heavy' | 'seed' | 'shipped' | 'shipped-cluster' | 'shipped-2' | 'console' | TuningVariant;

const SHIPPED_MODEL_ID = 'combot-complaint-classifier';
export const SHIPPED_MODELS_DIR = path.join(REPO, 'models');
const HEAVY_MODEL_ID = MODEL_IDS.int8;
export const HEAVY_MODELS_DIR = DEFAULT_MODELS_DIR;
export const HEAVY_WORKERS = 2;
const REDIS = { host: '127.0.0.1', port: 6379 };

/** As the tuning scenario chose: pairs from what is already queued (no wait), enough admitted for pairs to form. */
export const HEAVY_PROFILE = {
  ML_WORKERS: String(HEAVY_WORKERS),
  ML_MICRO_BATCH_MAX: '2',
  ML_MICRO_BATCH_WAIT_MS: '0',
  ML_MICRO_BATCH_MAX_AGE_MS: '1000',
  MAX_CONCURRENT_ML_OPERATIONS: '32',
} as const;

export const MODELS = {
  heavy: `${HEAVY_MODEL_ID} (${path.relative(REPO, HEAVY_MODELS_DIR)}; DistilBERT-shaped, random weights: labels meaningless, only cost real; service profile: ${settings(HEAVY_PROFILE)})`,
  shipped: `${SHIPPED_MODEL_ID} from ${path.relative(REPO, SHIPPED_MODELS_DIR)}`,
};

/** The service's own defaults except what a configuration must fix; `seed` switches the seed's design back on. */
function serviceEnv(name: ServiceName, prefix: string): Record<string, string> {
  const common: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: testDatabaseUrl(BENCH_DATABASE),
    REDIS_HOST: REDIS.host,
    REDIS_KEY_PREFIX: `${prefix}-${name}`,
    THROTTLE_LIMIT: '0',
    SHUTDOWN_TIMEOUT_MS: '1000',
    // One HTTP process: the meters read one pid and the scenarios were sized for one event loop.
    API_PROCESSES: '1',
  };
  const heavy = { ...common, ML_MODELS_DIR: HEAVY_MODELS_DIR, ML_MODEL_ID: HEAVY_MODEL_ID };
  const shipped = { ...common, ML_MODELS_DIR: SHIPPED_MODELS_DIR, ML_MODEL_ID: SHIPPED_MODEL_ID };
  if (name in TUNING_VARIANTS) return { ...heavy, ...HEAVY_PROFILE, ...TUNING_VARIANTS[name as TuningVariant] };
  const envs: Record<Exclude<ServiceName, TuningVariant>, Record<string, string>> = {
    heavy: { ...heavy, ...HEAVY_PROFILE },
    seed: { ...heavy, MAX_CONCURRENT_ML_OPERATIONS: '3', ML_INFERENCE_MODE: 'main-thread', ML_COALESCE: 'false' },
    shipped,
    'shipped-cluster': { ...shipped, API_PROCESSES: String(CLUSTER_PROCESSES) },
    'shipped-2': { ...shipped, API_PROCESSES: '2' },
    console: { ...shipped, DATABASE_URL: testDatabaseUrl(CONSOLE_DATABASE), ADMIN_API_KEY: CONSOLE_ADMIN_KEY },
  };
  return envs[name as keyof typeof envs];
}

export type BenchService = ServiceProcess & { name: ServiceName; pid: number };

export const isAlive = ({ child }: ServiceProcess): boolean => child.exitCode === null && child.signalCode === null;

/** The ceiling's best setting, for the comparison with the service (set by the ceiling scenario). */
export type CeilingConfig = { workers: number; batch: number; grouped: boolean };

/** What a scenario hands the report: its JSON result, its own markdown section and the targets it judged. */
export type ScenarioOutcome = { result: unknown; section: string[]; targets: TargetResult[] };

export type Scenario = (ctx: BenchContext) => Promise<ScenarioOutcome>;

export class BenchContext {
  readonly corpus = new ComplaintCorpus();
  readonly startupMs: Partial<Record<ServiceName, number>> = {};
  /** Every service that got ready, as configured (without the database URL). */
  readonly configs: Partial<Record<ServiceName, Record<string, string>>> = {};
  ceilingBest: CeilingConfig | null = null;
  private readonly services = new Map<ServiceName, Promise<BenchService>>();
  private readonly started: ServiceProcess[] = [];
  /** Starts are serialised: the first one on a database migrates it, later ones find it migrated. */
  private startChain: Promise<unknown> = Promise.resolve();
  private readonly migrated = new Set<string>();
  /** Fresh per run (empty caches); its keys are deleted at the end. */
  readonly redisPrefix = `combot-bench-${randomBytes(4).toString('hex')}`;

  constructor(
    readonly plan: Plan,
    readonly log: (line: string) => void,
  ) {}

  service(name: ServiceName): Promise<BenchService> {
    let started = this.services.get(name);
    if (!started) {
      started = this.startChain.then(() => this.start(name));
      this.startChain = started.catch(() => undefined);
      this.services.set(name, started);
    }
    return started;
  }

  /** Runs every arm once per round in interleaved order; each arm's results in round order. */
  async interleave<A extends string, R>(arms: readonly A[], run: (arm: A, round: number) => Promise<R>) {
    const order = interleavedOrder(arms, this.plan.rounds);
    const rounds = Object.fromEntries(arms.map((arm) => [arm, [] as R[]])) as Record<A, R[]>;
    for (const [index, round] of order.entries()) for (const arm of round) rounds[arm].push(await run(arm, index + 1));
    return { order, rounds };
  }

  private async start(name: ServiceName): Promise<BenchService> {
    if (!existsSync(path.join(REPO, SERVICE_ENTRY))) throw new Error(`${SERVICE_ENTRY} is missing: run npm run build`);
    const begun = Date.now();
    this.log(`  starting service "${name}"`);
    const port = String(await freePort());
    const env = serviceEnv(name, this.redisPrefix);
    const migrate = !this.migrated.has(env.DATABASE_URL);
    Object.assign(env, { DB_MIGRATE_ON_START: String(migrate), HOST: '127.0.0.1', PORT: port });
    const service = this.adopt(startService(env, SERVICE_ENTRY, nodeFlagsOfScript('start:prod', SERVICE_ENTRY)));
    // Ready means database, Redis and the default model are up: the first request is served by a loaded model.
    await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 120_000).catch(async (error: unknown) => {
      await stopService(service);
      throw new Error(`service ${name} did not get ready: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.migrated.add(env.DATABASE_URL);
    this.startupMs[name] = Date.now() - begun;
    const { DATABASE_URL: _database, ...shown } = env;
    this.configs[name] = { ...shown, ML_MODELS_DIR: path.relative(REPO, env.ML_MODELS_DIR) };
    return Object.assign(service, { name, pid: service.child.pid ?? Number.NaN });
  }

  /** Stops `process` with the services: at the end of the run, and on every way out. */
  adopt<T extends ServiceProcess>(process: T): T {
    this.started.push(process);
    return process;
  }

  /** Stops every service, drops the databases, deletes the run's Redis keys; a failed step does not stop the rest. */
  async cleanup(): Promise<void> {
    const failed = (what: string) => (error: unknown) => this.log(`cleanup: ${what} failed: ${String(error)}`);
    await Promise.all(this.started.map((service) => stopService(service))).catch(failed('stopping services'));
    for (const database of [BENCH_DATABASE, CONSOLE_DATABASE])
      await dropTestDatabase(database).catch(failed(`dropping ${database}`));
    const deleted = await deleteKeys(REDIS, this.redisPrefix).catch(() => 0);
    this.log(
      `cleanup: services stopped, databases dropped, ${deleted} Redis key(s) under ${this.redisPrefix}* deleted`,
    );
  }

  /** Synchronous last resort for process exit handlers. */
  killAllNow(): void {
    for (const service of this.started) if (isAlive(service)) service.child.kill('SIGKILL');
  }
}
