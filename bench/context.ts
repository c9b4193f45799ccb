/**
 * What the scenarios share: the plan, the run's corpus stream, and the three service configurations, each
 * started on first use and kept running until the end of the run (so later scenarios reuse warm processes).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ComplaintCorpus } from './corpus';
import { benchDatabaseUrl } from './database';
import { DEFAULT_MODELS_DIR, MODEL_IDS } from './model/model-ids';
import type { Plan } from './plan';
import { REDIS_HOST } from './redis-keys';
import { REPO, ServiceProcess } from './service-process';

export type ServiceName = 'heavy' | 'seed' | 'shipped';

export const SHIPPED_MODEL_ID = 'combot-complaint-classifier';
/** Until the shipped model is committed under models/, a development copy stands in (the report says which). */
const DEV_MODELS_DIR = '/tmp/devmodels';

export function shippedModelsDir(): string {
  const committed = path.join(REPO, 'models');
  // All three files: a folder still being written by the trainer must not be picked up half-done.
  const complete = ['config.json', 'tokenizer.json', path.join('onnx', 'model.onnx')].every((file) =>
    existsSync(path.join(committed, SHIPPED_MODEL_ID, file)),
  );
  return complete ? committed : DEV_MODELS_DIR;
}

export const HEAVY_MODEL_ID = MODEL_IDS.int8;
export const HEAVY_MODELS_DIR = DEFAULT_MODELS_DIR;
export const HEAVY_WORKERS = 2;

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
      return {
        ...common,
        ML_MODELS_DIR: HEAVY_MODELS_DIR,
        ML_MODEL_ID: HEAVY_MODEL_ID,
        ML_WORKERS: String(HEAVY_WORKERS),
      };
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
