import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ValidationResult } from 'joi';
import { envSchema, RawEnv } from './env.schema';

/** A bad environment stops the process before anything starts; `problems` reads `KEY=value: problem`. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigValidationError';
  }
}

const SECRET_KEYS = /PASSWORD|API_KEY|SECRET/;

function csv(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * Typed configuration groups, built once from the environment. Only this folder reads `process.env`;
 * everything else injects `AppConfig`.
 */
export class AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly http: {
    port: number;
    host: string;
    corsOrigins: string[];
    bodyLimit: string;
    shutdownTimeoutMs: number;
  };
  readonly log: { level: string; pretty: boolean };
  readonly admin: { apiKey: string | null };
  readonly database: {
    /** `null` selects the embedded PostgreSQL of the zero-service mode. */
    url: string | null;
    migrateOnStart: boolean;
    poolSize: number;
    logQueries: boolean;
    embeddedDir: string;
    embeddedPort: number;
  };
  readonly redis: {
    /** `null` selects the in-memory cache and in-process job runner of the zero-service mode. */
    host: string | null;
    port: number;
    db: number;
    password: string | null;
    keyPrefix: string;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
  };
  readonly ml: {
    maxConcurrent: number;
    cacheTtlSeconds: number;
    queueTimeoutMs: number;
    maxQueued: number;
    modelId: string;
    modelRevision: string;
    modelsDir: string;
    allowRemoteModels: boolean;
    preloadModels: string[];
    maxModels: number;
    workers: number;
    intraOpThreads: number;
    /** How much lower inference worker threads run than the event loop (Linux niceness, 0 = same). */
    workerNice: number;
    /** Messages an inference worker may hold, the running one included (1 = no prefetch). */
    pipelineDepth: number;
    maxTokens: number;
    maxTextLength: number;
    maxBatchTexts: number;
    inferenceMode: 'worker' | 'main-thread';
    coalesce: boolean;
    /** Several queued requests' texts in one session run; `max` 1 = off. */
    microBatch: { max: number; waitMs: number; maxAgeMs: number };
    warmupFile: string;
  };
  readonly chat: {
    maxMessageLength: number;
    cookieName: string;
    cookieSecure: boolean;
    cookieSameSite: 'lax' | 'strict' | 'none';
    throttleTtlMs: number;
    throttleLimit: number;
  };
  readonly llm: {
    baseUrl: string | null;
    apiKey: string | null;
    model: string;
    timeoutMs: number;
    maxConcurrent: number;
    retries: number;
  };
  readonly queue: {
    processInApi: boolean;
    attempts: number;
    backoffMs: number;
    keepCompleted: number;
    keepFailed: number;
    retentionMs: number;
    conversationTtlSeconds: number;
    abandonCron: string;
    purgeCron: string;
    metricsSnapshotCron: string;
  };
  readonly health: { heapLimitBytes: number; rssLimitBytes: number };
  readonly metrics: { requireAuth: boolean };

  constructor(raw: RawEnv = {}) {
    // An empty value means "unset", as in .env.example.
    const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
    const result: ValidationResult<Record<string, unknown>> = envSchema.validate(present, {
      abortEarly: false,
      allowUnknown: true,
      stripUnknown: true,
      convert: true,
    });
    const error = result.error;
    if (error) {
      throw new ConfigValidationError(
        error.details.map((detail) => {
          const key = String(detail.path[0] ?? detail.context?.key ?? '?');
          const shown = SECRET_KEYS.test(key) ? '***' : String(raw[key] ?? '');
          return `${key}=${shown}: ${detail.message.replace(/^"[^"]+" /, '')}`;
        }),
      );
    }
    const v = result.value;
    const str = (key: string): string => v[key] as string;
    const num = (key: string): number => v[key] as number;
    const bool = (key: string): boolean => v[key] as boolean;
    const optional = (key: string): string | null => (str(key) === '' ? null : str(key));

    this.env = v.NODE_ENV as AppConfig['env'];
    this.http = {
      port: num('PORT'),
      host: str('HOST'),
      corsOrigins: csv(str('CORS_ORIGINS')),
      bodyLimit: str('BODY_LIMIT'),
      shutdownTimeoutMs: num('SHUTDOWN_TIMEOUT_MS'),
    };
    this.log = { level: str('LOG_LEVEL'), pretty: bool('LOG_PRETTY') };
    this.admin = { apiKey: optional('ADMIN_API_KEY') };
    const databaseUrl = optional('DATABASE_URL');
    this.database = {
      url: databaseUrl,
      // Embedded mode owns its database, so it migrates by default; a shared server migrates on request.
      migrateOnStart: (v.DB_MIGRATE_ON_START as boolean | undefined) ?? databaseUrl === null,
      poolSize: num('DB_POOL_SIZE'),
      logQueries: bool('DB_LOG_QUERIES'),
      embeddedDir: path.resolve(str('EMBEDDED_DB_DIR')),
      embeddedPort: num('EMBEDDED_DB_PORT'),
    };
    const redisHost = optional('REDIS_HOST');
    this.redis = {
      host: redisHost,
      port: num('REDIS_PORT'),
      db: num('REDIS_DB'),
      password: optional('REDIS_PASSWORD'),
      keyPrefix: str('REDIS_KEY_PREFIX'),
      connectTimeoutMs: num('REDIS_CONNECT_TIMEOUT_MS'),
      commandTimeoutMs: num('REDIS_COMMAND_TIMEOUT_MS'),
    };
    this.ml = {
      maxConcurrent: num('MAX_CONCURRENT_ML_OPERATIONS'),
      cacheTtlSeconds: num('ML_RESULT_CACHE_TIMEOUT'),
      queueTimeoutMs: Math.round(num('REQUEST_QUEUE_TIMEOUT') * 1000),
      maxQueued: num('ML_MAX_QUEUED_REQUESTS'),
      modelId: str('ML_MODEL_ID'),
      modelRevision: str('ML_MODEL_REVISION'),
      modelsDir: path.resolve(str('ML_MODELS_DIR')),
      allowRemoteModels: bool('ML_ALLOW_REMOTE_MODELS'),
      preloadModels: csv(str('ML_PRELOAD_MODELS')),
      maxModels: num('ML_MAX_MODELS'),
      workers: (v.ML_WORKERS as number | undefined) ?? Math.max(1, os.availableParallelism()),
      intraOpThreads: num('ML_INTRA_OP_THREADS'),
      workerNice: num('ML_WORKER_NICE'),
      pipelineDepth: num('ML_WORKER_PIPELINE_DEPTH'),
      maxTokens: num('ML_MAX_TOKENS'),
      maxTextLength: num('ML_MAX_TEXT_LENGTH'),
      maxBatchTexts: num('ML_MAX_BATCH_TEXTS'),
      inferenceMode: v.ML_INFERENCE_MODE as AppConfig['ml']['inferenceMode'],
      coalesce: bool('ML_COALESCE'),
      microBatch: {
        max: num('ML_MICRO_BATCH_MAX'),
        waitMs: num('ML_MICRO_BATCH_WAIT_MS'),
        maxAgeMs: num('ML_MICRO_BATCH_MAX_AGE_MS'),
      },
      warmupFile: path.resolve(str('ML_WARMUP_FILE')),
    };
    this.chat = {
      maxMessageLength: num('CHAT_MAX_MESSAGE_LENGTH'),
      cookieName: str('CHAT_COOKIE_NAME'),
      cookieSecure: (v.CHAT_COOKIE_SECURE as boolean | undefined) ?? str('CHAT_COOKIE_SAMESITE') === 'none',
      cookieSameSite: v.CHAT_COOKIE_SAMESITE as AppConfig['chat']['cookieSameSite'],
      throttleTtlMs: num('THROTTLE_TTL_SECONDS') * 1000,
      throttleLimit: num('THROTTLE_LIMIT'),
    };
    this.llm = {
      baseUrl: optional('LLM_BASE_URL'),
      apiKey: optional('LLM_API_KEY'),
      model: str('LLM_MODEL'),
      timeoutMs: num('LLM_TIMEOUT_MS'),
      maxConcurrent: num('LLM_MAX_CONCURRENT'),
      retries: num('LLM_RETRIES'),
    };
    this.queue = {
      processInApi: (v.QUEUE_PROCESS_IN_API as boolean | undefined) ?? redisHost === null,
      attempts: num('QUEUE_JOB_ATTEMPTS'),
      backoffMs: num('QUEUE_BACKOFF_MS'),
      keepCompleted: num('QUEUE_KEEP_COMPLETED'),
      keepFailed: num('QUEUE_KEEP_FAILED'),
      retentionMs: num('QUEUE_RETENTION_HOURS') * 3600 * 1000,
      conversationTtlSeconds: num('CONVERSATION_TTL'),
      abandonCron: str('SCHEDULE_ABANDON_CRON'),
      purgeCron: str('SCHEDULE_PURGE_CRON'),
      metricsSnapshotCron: str('SCHEDULE_METRICS_SNAPSHOT_CRON'),
    };
    this.health = {
      heapLimitBytes: num('HEALTH_HEAP_LIMIT_MB') * 1024 * 1024,
      rssLimitBytes: num('HEALTH_RSS_LIMIT_MB') * 1024 * 1024,
    };
    this.metrics = { requireAuth: bool('METRICS_REQUIRE_AUTH') };
  }

  /** Which backing services run: the log line at start and the health report both say it. */
  get mode(): { database: 'embedded' | 'external'; redis: 'memory' | 'external' } {
    return {
      database: this.database.url === null ? 'embedded' : 'external',
      redis: this.redis.host === null ? 'memory' : 'external',
    };
  }

  /** The process environment (plus `.env` in the working directory, if present), read once. */
  static fromProcessEnv(): AppConfig {
    if (existsSync('.env')) process.loadEnvFile('.env');
    return new AppConfig(process.env);
  }
}
