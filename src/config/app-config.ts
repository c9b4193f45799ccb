import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Env, envSchema, RawEnv } from './env.schema';
import { printableUrl } from './printable-url';

/** A bad environment stops the process before anything starts; `problems` reads `KEY=value: problem`. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigValidationError';
  }
}

const SECRET_KEYS = /PASSWORD|API_KEY|SECRET|PSEUDONYM_KEY/;
/** Settings holding a URL that may carry a password: shown with it masked. */
const URL_KEYS = /_URL$/;

/** Whether `name` can be loaded from here. */
function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The problem with `LOG_PRETTY=true` where pino-pretty is not installed (a development dependency: the production
 * image has none), or null. Caught with the other settings, instead of as a transport error once logging starts.
 */
export function prettyLogsProblem(pretty: boolean, isInstalled: (name: string) => boolean = installed): string | null {
  return pretty && !isInstalled('pino-pretty')
    ? 'LOG_PRETTY=true: needs pino-pretty, a development dependency this installation lacks; unset it for JSON lines'
    : null;
}

/**
 * Settings each valid alone that together leave the service unable to do what they ask (`KEY=value: problem`): no
 * process would ever run a job, no scrape could ever be authorised, a complaint the chat takes would be refused by
 * the classifier.
 */
export function combinationProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.QUEUE_PROCESS_IN_API === false && env.REDIS_HOST === '') {
    problems.push(
      'QUEUE_PROCESS_IN_API=false: needs REDIS_HOST (without Redis no other process can take the jobs: none would ever run, nor any schedule)',
    );
  }
  if (env.METRICS_REQUIRE_AUTH && env.METRICS_API_KEY === '' && env.ADMIN_API_KEY === '') {
    problems.push('METRICS_REQUIRE_AUTH=true: needs METRICS_API_KEY or ADMIN_API_KEY (no scrape could be authorised)');
  }
  if (env.ML_MAX_TEXT_LENGTH < env.CHAT_MAX_MESSAGE_LENGTH) {
    problems.push(
      `ML_MAX_TEXT_LENGTH=${env.ML_MAX_TEXT_LENGTH}: must be at least CHAT_MAX_MESSAGE_LENGTH (${env.CHAT_MAX_MESSAGE_LENGTH}): a complaint the chat takes would be refused by the classifier`,
    );
  }
  return problems;
}

/** Express's `trust proxy` from TRUST_PROXY: off, a hop count, or `loopback` / addresses / CIDRs as given. */
function trustProxyOf(value: string): boolean | number | string {
  if (value === 'off') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

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
  readonly env: Env['NODE_ENV'];
  readonly http: {
    port: number;
    host: string;
    /** HTTP processes sharing the port (node:cluster); 1 runs the API in this process alone. */
    processes: number;
    /** With processes > 1: how long one may go without a heartbeat before the primary replaces it. */
    processStallTimeoutMs: number;
    corsOrigins: string[];
    bodyLimit: string;
    /** Deepest JSON nesting a body may have; deeper bodies are refused before parsing goes further. */
    maxJsonDepth: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Which peers' `X-Forwarded-For` to believe (Express's `trust proxy`): false, a hop count or addresses. */
    trustProxy: boolean | number | string;
    shutdownTimeoutMs: number;
  };
  readonly log: { level: Env['LOG_LEVEL']; pretty: boolean };
  readonly admin: {
    apiKey: string | null;
    /** How long a study-console session lasts from its login. */
    sessionTtlMs: number;
    /** `null`: the session cookie is Secure exactly when the login request came over https. */
    sessionCookieSecure: boolean | null;
    /** Failed console logins a client address may make within `loginWindowMs` before it has to wait. */
    loginMaxFailures: number;
    loginWindowMs: number;
  };
  readonly database: {
    /** `null` selects the embedded PostgreSQL of the zero-service mode. */
    url: string | null;
    migrateOnStart: boolean;
    poolSize: number;
    connectTimeoutMs: number;
    /** Server-side statement timeout; the client gives up a little later, also when the server is frozen. */
    statementTimeoutMs: number;
    /** How long a statement waits for a lock (0: as long as its statement timeout allows); set for migrations. */
    lockTimeoutMs: number;
    logQueries: boolean;
    embeddedDir: string;
    /** `null`: the default port, or a free one when it is busy; a set port is used or the start fails. */
    embeddedPort: number | null;
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
    /** `worker`: inference in `workers` worker threads; `main-thread`: the seed design, for benchmarks only. */
    inferenceMode: Env['ML_INFERENCE_MODE'];
    workers: number;
    intraOpThreads: number;
    /** How much lower inference worker threads run than the event loop (Linux niceness, 0 = same). */
    workerNice: number;
    /** Messages an inference worker may hold, the running one included (1 = no prefetch). */
    pipelineDepth: number;
    maxTokens: number;
    maxTextLength: number;
    maxBatchTexts: number;
    coalesce: boolean;
    /** Several queued requests' texts in one session run; `max` 1 = off. */
    microBatch: { max: number; waitMs: number; maxAgeMs: number };
    warmupFile: string;
  };
  readonly chat: {
    maxMessageLength: number;
    cookieName: string;
    /** null: Secure when the request came over https (as `TRUST_PROXY` lets a proxy's X-Forwarded-Proto say). */
    cookieSecure: boolean | null;
    cookieSameSite: Env['CHAT_COOKIE_SAMESITE'];
    throttleTtlMs: number;
    throttleLimit: number;
  };
  readonly study: {
    /** The study content file: every participant-facing text and the survey links, validated at start. */
    contentFile: string;
  };
  readonly llm: {
    baseUrl: string | null;
    apiKey: string | null;
    model: string;
    timeoutMs: number;
    maxConcurrent: number;
    retries: number;
    /** Consecutive failures or timeouts that open the circuit: templates answer at once until the cool-down ends. */
    breakerThreshold: number;
    breakerCooldownMs: number;
  };
  readonly queue: {
    processInApi: boolean;
    /**
     * A file the worker process touches every few seconds from its event loop: a liveness probe for a process without
     * HTTP (stale means a blocked or dead loop). `null`: off.
     */
    heartbeatFile: string | null;
    /** Classification jobs one process runs at once (each still passes the inference semaphore). */
    classifyConcurrency: number;
    attempts: number;
    /**
     * A worker holds a job's lock this long (renewed at half of it); a worker that died frees its jobs once the
     * lock runs out and the next stalled-job check (every `stalledIntervalMs`) finds them.
     */
    lockDurationMs: number;
    stalledIntervalMs: number;
    backoffMs: number;
    keepCompleted: number;
    keepFailed: number;
    retentionMs: number;
    conversationTtlSeconds: number;
    abandonCron: string;
    purgeCron: string;
    metricsSnapshotCron: string;
    /** Each snapshot run removes the snapshots older than this many days (one row per minute otherwise piles up). */
    metricsSnapshotRetentionDays: number;
    dataRetentionCron: string;
  };
  readonly participantData: {
    /** Conversations older than this many days lose their e-mail (and transcript); `null`: kept until erased. */
    retentionDays: number | null;
    /** Retention also deletes the transcripts, not only the e-mails. */
    retentionTranscripts: boolean;
    /** The HMAC key of pseudonymised exports; `null`: they are refused. */
    pseudonymKey: string | null;
  };
  readonly health: {
    heapLimitBytes: number;
    rssLimitBytes: number;
    /** Past a memory limit this long, liveness fails too (the process is restarted); 0: never. */
    memoryLivenessGraceMs: number;
  };
  readonly metrics: {
    requireAuth: boolean;
    /** The scrape credential: opens `/api/metrics` (with its per-arm series) and nothing else; `null`: none. */
    apiKey: string | null;
  };

  constructor(raw: RawEnv = {}) {
    const v = AppConfig.validate(raw);
    const optional = (value: string): string | null => (value === '' ? null : value);

    this.env = v.NODE_ENV;
    const cores = Math.max(1, os.availableParallelism());
    // One process per core needs Redis to share jobs, schedules and rate limits (the schema refuses more without).
    const processes = v.API_PROCESSES ?? (v.REDIS_HOST === '' ? 1 : cores);
    this.http = {
      port: v.PORT,
      host: v.HOST,
      processes,
      processStallTimeoutMs: v.API_PROCESS_STALL_TIMEOUT_MS,
      corsOrigins: csv(v.CORS_ORIGINS),
      bodyLimit: v.BODY_LIMIT,
      maxJsonDepth: v.HTTP_MAX_JSON_DEPTH,
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      trustProxy: trustProxyOf(v.TRUST_PROXY),
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    };
    this.log = { level: v.LOG_LEVEL, pretty: v.LOG_PRETTY };
    this.admin = {
      apiKey: optional(v.ADMIN_API_KEY),
      sessionTtlMs: v.ADMIN_SESSION_TTL_MINUTES * 60_000,
      sessionCookieSecure: v.ADMIN_SESSION_COOKIE_SECURE ?? null,
      loginMaxFailures: v.ADMIN_LOGIN_MAX_FAILURES,
      loginWindowMs: v.ADMIN_LOGIN_WINDOW_SECONDS * 1000,
    };
    const databaseUrl = optional(v.DATABASE_URL);
    this.database = {
      url: databaseUrl,
      // Embedded mode owns its database, so it migrates by default; a shared server migrates on request.
      migrateOnStart: v.DB_MIGRATE_ON_START ?? databaseUrl === null,
      poolSize: v.DB_POOL_SIZE,
      connectTimeoutMs: v.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: v.DB_LOCK_TIMEOUT_MS,
      logQueries: v.DB_LOG_QUERIES,
      embeddedDir: path.resolve(v.EMBEDDED_DB_DIR),
      embeddedPort: v.EMBEDDED_DB_PORT ?? null,
    };
    const redisHost = optional(v.REDIS_HOST);
    this.redis = {
      host: redisHost,
      port: v.REDIS_PORT,
      db: v.REDIS_DB,
      password: optional(v.REDIS_PASSWORD),
      keyPrefix: v.REDIS_KEY_PREFIX,
      connectTimeoutMs: v.REDIS_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    };
    this.ml = {
      maxConcurrent: v.MAX_CONCURRENT_ML_OPERATIONS,
      cacheTtlSeconds: v.ML_RESULT_CACHE_TIMEOUT,
      queueTimeoutMs: Math.round(v.REQUEST_QUEUE_TIMEOUT * 1000),
      maxQueued: v.ML_MAX_QUEUED_REQUESTS,
      modelId: v.ML_MODEL_ID,
      modelRevision: v.ML_MODEL_REVISION,
      modelsDir: path.resolve(v.ML_MODELS_DIR),
      allowRemoteModels: v.ML_ALLOW_REMOTE_MODELS,
      preloadModels: csv(v.ML_PRELOAD_MODELS),
      maxModels: v.ML_MAX_MODELS,
      inferenceMode: v.ML_INFERENCE_MODE,
      // The cores are shared by every API process: by default each gets its share of inference threads.
      workers: v.ML_WORKERS ?? Math.max(1, Math.floor(cores / processes)),
      intraOpThreads: v.ML_INTRA_OP_THREADS,
      workerNice: v.ML_WORKER_NICE,
      pipelineDepth: v.ML_WORKER_PIPELINE_DEPTH,
      maxTokens: v.ML_MAX_TOKENS,
      maxTextLength: v.ML_MAX_TEXT_LENGTH,
      maxBatchTexts: v.ML_MAX_BATCH_TEXTS,
      coalesce: v.ML_COALESCE,
      microBatch: {
        max: v.ML_MICRO_BATCH_MAX,
        waitMs: v.ML_MICRO_BATCH_WAIT_MS,
        maxAgeMs: v.ML_MICRO_BATCH_MAX_AGE_MS,
      },
      warmupFile: path.resolve(v.ML_WARMUP_FILE),
    };
    this.chat = {
      maxMessageLength: v.CHAT_MAX_MESSAGE_LENGTH,
      cookieName: v.CHAT_COOKIE_NAME,
      cookieSecure: v.CHAT_COOKIE_SECURE ?? (v.CHAT_COOKIE_SAMESITE === 'none' ? true : null),
      cookieSameSite: v.CHAT_COOKIE_SAMESITE,
      throttleTtlMs: v.THROTTLE_TTL_SECONDS * 1000,
      throttleLimit: v.THROTTLE_LIMIT,
    };
    this.study = { contentFile: path.resolve(v.STUDY_CONTENT_FILE) };
    this.llm = {
      baseUrl: optional(v.LLM_BASE_URL),
      apiKey: optional(v.LLM_API_KEY),
      model: v.LLM_MODEL,
      timeoutMs: v.LLM_TIMEOUT_MS,
      maxConcurrent: v.LLM_MAX_CONCURRENT,
      retries: v.LLM_RETRIES,
      breakerThreshold: v.LLM_BREAKER_THRESHOLD,
      breakerCooldownMs: v.LLM_BREAKER_COOLDOWN_MS,
    };
    this.queue = {
      processInApi: v.QUEUE_PROCESS_IN_API ?? redisHost === null,
      heartbeatFile: v.WORKER_HEARTBEAT_FILE === '' ? null : path.resolve(v.WORKER_HEARTBEAT_FILE),
      classifyConcurrency: v.QUEUE_CLASSIFY_CONCURRENCY,
      attempts: v.QUEUE_JOB_ATTEMPTS,
      lockDurationMs: v.QUEUE_LOCK_DURATION_MS,
      stalledIntervalMs: v.QUEUE_STALLED_INTERVAL_MS,
      backoffMs: v.QUEUE_BACKOFF_MS,
      keepCompleted: v.QUEUE_KEEP_COMPLETED,
      keepFailed: v.QUEUE_KEEP_FAILED,
      retentionMs: v.QUEUE_RETENTION_HOURS * 3600 * 1000,
      conversationTtlSeconds: v.CONVERSATION_TTL,
      abandonCron: v.SCHEDULE_ABANDON_CRON,
      purgeCron: v.SCHEDULE_PURGE_CRON,
      metricsSnapshotCron: v.SCHEDULE_METRICS_SNAPSHOT_CRON,
      metricsSnapshotRetentionDays: v.METRICS_SNAPSHOT_RETENTION_DAYS,
      dataRetentionCron: v.SCHEDULE_RETENTION_CRON,
    };
    this.participantData = {
      retentionDays: v.DATA_RETENTION_DAYS ?? null,
      retentionTranscripts: v.DATA_RETENTION_TRANSCRIPTS,
      pseudonymKey: optional(v.EXPORT_PSEUDONYM_KEY),
    };
    this.health = {
      // Default: 90 % of the heap V8 may grow to (`--max-old-space-size`), so the check can actually trip.
      heapLimitBytes:
        v.HEALTH_HEAP_LIMIT_MB === undefined
          ? Math.floor(v8.getHeapStatistics().heap_size_limit * 0.9)
          : v.HEALTH_HEAP_LIMIT_MB * 1024 * 1024,
      rssLimitBytes: v.HEALTH_RSS_LIMIT_MB * 1024 * 1024,
      memoryLivenessGraceMs: v.HEALTH_MEMORY_LIVENESS_GRACE_MS,
    };
    this.metrics = { requireAuth: v.METRICS_REQUIRE_AUTH, apiKey: optional(v.METRICS_API_KEY) };
  }

  /** Validates and converts the raw environment, or throws every problem at once as `KEY=value: problem`. */
  private static validate(raw: RawEnv): Env {
    // An empty value means "unset", as in .env.example.
    const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
    const result = envSchema.validate(present, {
      abortEarly: false,
      allowUnknown: true,
      stripUnknown: true,
      convert: true,
    });
    if (result.error) {
      throw new ConfigValidationError(
        result.error.details.map((detail) => {
          const key = String(detail.path[0] ?? detail.context?.key ?? '?');
          const value = String(raw[key] ?? '');
          const shown = SECRET_KEYS.test(key) ? '***' : URL_KEYS.test(key) ? printableUrl(value) : value;
          return `${key}=${shown}: ${detail.message.replace(/^"[^"]+" /, '')}`;
        }),
      );
    }
    const pretty = prettyLogsProblem(result.value.LOG_PRETTY);
    const problems = [...(pretty ? [pretty] : []), ...combinationProblems(result.value)];
    if (problems.length > 0) throw new ConfigValidationError(problems);
    return result.value;
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
