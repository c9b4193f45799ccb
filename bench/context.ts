/**
 * What the scenarios share: the plan, the run's corpus stream, and the three service configurations, each
 * started on first use and kept running until the end of the run (so later scenarios reuse warm processes).
 */
import path from 'node:path';
import { ComplaintCorpus } from './corpus';
import { benchDatabaseUrl } from './database';
import { DEFAULT_MODELS_DIR, MODEL_IDS } from '../tools/model/distilbert/model-ids';
import type { Plan } from './plan';
import { REDIS_HOST } from './redis-keys';
import { REPO, ServiceProcess } from './service-process';

/** Tuning variants of the heavy service: one setting changed from the shipped defaults each (see tuning.ts). */
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
export type TuningVariant = keyof typeof TUNING_VARIANTS;

export type ServiceName = 'heavy' | 'seed' | 'shipped' | TuningVariant;

export const SHIPPED_MODEL_ID = 'combot-complaint-classifier';
export function shippedModelsDir(): string {
  return path.join(REPO, 'models');
}

export const HEAVY_MODEL_ID = MODEL_IDS.int8;
export const HEAVY_MODELS_DIR = DEFAULT_MODELS_DIR;
export const HEAVY_WORKERS = 2;

/**
 * How a transformer checkpoint is deployed (README, "Serving a transformer checkpoint"), chosen by the tuning
 * scenario: pairs of similar length formed only from what is already queued (no wait, so no cost at low load),
 * grouping kept for up to 1 s, and enough requests admitted past the semaphore for pairs to form.
 */
export const HEAVY_PROFILE = {
  ML_WORKERS: String(HEAVY_WORKERS),
  ML_MICRO_BATCH_MAX: '2',
  ML_MICRO_BATCH_WAIT_MS: '0',
  ML_MICRO_BATCH_MAX_AGE_MS: '1000',
  MAX_CONCURRENT_ML_OPERATIONS: '32',
} as const;

/** The service's own defaults except what a scenario must fix; the seed design switches only what issue 6 names. */
function serviceEnv(name: ServiceName, prefix: string, migrate: boolean): Record<string, string> {
  const common: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: benchDatabaseUrl(),
    DB_MIGRATE_ON_START: String(migrate),
    REDIS_HOST,
    REDIS_KEY_PREFIX: `${prefix}-${name}`,
    THROTTLE_LIMIT: '0',
    SHUTDOWN_TIMEOUT_MS: '1000',
  };
  switch (name) {
    case 'heavy':
      return { ...common, ML_MODELS_DIR: HEAVY_MODELS_DIR, ML_MODEL_ID: HEAVY_MODEL_ID, ...HEAVY_PROFILE };
    case 'seed':
      return {
        ...common,
        ML_MODELS_DIR: HEAVY_MODELS_DIR,
        ML_MODEL_ID: HEAVY_MODEL_ID,
        MAX_CONCURRENT_ML_OPERATIONS: '3',
        ML_INFERENCE_MODE: 'main-thread',
        ML_COALESCE: 'false',
      };
    case 'shipped':
      return { ...common, ML_MODELS_DIR: shippedModelsDir(), ML_MODEL_ID: SHIPPED_MODEL_ID };
    case 'heavy-nice0':
    case 'heavy-batch8':
    case 'heavy-nobatch':
    case 'heavy-1x2':
    case 'heavy-nopipe':
      return {
        ...serviceEnv('heavy', prefix, migrate),
        ...TUNING_VARIANTS[name],
        REDIS_KEY_PREFIX: `${prefix}-${name}`,
      };
  }
}

export class BenchContext {
  readonly corpus = new ComplaintCorpus();
  private readonly services = new Map<ServiceName, Promise<ServiceProcess>>();
  /** Starts are serialised: the first one migrates the empty database, later ones find it migrated. */
  private startChain: Promise<unknown> = Promise.resolve();
  private migrated = false;
  readonly startupMs: Partial<Record<ServiceName, number>> = {};

  constructor(
    readonly plan: Plan,
    readonly redisPrefix: string,
    readonly useWrk: boolean,
    readonly log: (line: string) => void,
  ) {}

  service(name: ServiceName): Promise<ServiceProcess> {
    let started = this.services.get(name);
    if (!started) {
      started = this.startChain.then(async () => {
        const begun = Date.now();
        this.log(`  starting service "${name}"`);
        const service = await ServiceProcess.start(name, serviceEnv(name, this.redisPrefix, !this.migrated));
        this.migrated = true;
        this.startupMs[name] = Date.now() - begun;
        return service;
      });
      this.startChain = started.catch(() => undefined);
      this.services.set(name, started);
    }
    return started;
  }

  /** The configuration of every service started so far, for the report. */
  async serviceConfigs(): Promise<Record<string, Record<string, string>>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [name, started] of this.services) {
      const service = await started.catch(() => null);
      if (!service) continue;
      const { DATABASE_URL: _db, ...env } = service.env;
      out[name] = env;
    }
    return out;
  }
}
