import { parseExpression } from 'cron-parser';
import Joi from 'joi';
import { isIP } from 'node:net';
import { byteLimitOf } from './byte-limit';
import { MAX_TIMER_MS } from './timer-limit';

/**
 * Every environment variable the service reads, as the schema below yields it (defaults applied). The schema is
 * checked against this type in both directions at compile time: a key missing on either side, or a misspelled
 * one where a value is read, does not compile. `.env.example` mirrors the list (`app-config.spec.ts` checks).
 */
export interface Env {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  API_PROCESSES?: number;
  API_PROCESS_STALL_TIMEOUT_MS: number;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  LOG_PRETTY: boolean;
  CORS_ORIGINS: string;
  BODY_LIMIT: string;
  HTTP_MAX_JSON_DEPTH: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  TRUST_PROXY: string;
  SHUTDOWN_TIMEOUT_MS: number;
  ADMIN_API_KEY: string;
  ADMIN_SESSION_TTL_MINUTES: number;
  ADMIN_SESSION_COOKIE_SECURE?: boolean;
  ADMIN_LOGIN_MAX_FAILURES: number;
  ADMIN_LOGIN_WINDOW_SECONDS: number;

  DATABASE_URL: string;
  DB_MIGRATE_ON_START?: boolean;
  DB_POOL_SIZE: number;
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_LOCK_TIMEOUT_MS: number;
  DB_LOG_QUERIES: boolean;
  EMBEDDED_DB_DIR: string;
  EMBEDDED_DB_PORT?: number;

  REDIS_HOST: string;
  REDIS_PORT: number;
  REDIS_DB: number;
  REDIS_PASSWORD: string;
  REDIS_KEY_PREFIX: string;
  REDIS_CONNECT_TIMEOUT_MS: number;
  REDIS_COMMAND_TIMEOUT_MS: number;

  MAX_CONCURRENT_ML_OPERATIONS: number;
  ML_RESULT_CACHE_TIMEOUT: number;
  REQUEST_QUEUE_TIMEOUT: number;
  ML_MAX_QUEUED_REQUESTS: number;
  ML_MODEL_ID: string;
  ML_MODEL_REVISION: string;
  ML_MODELS_DIR: string;
  ML_ALLOW_REMOTE_MODELS: boolean;
  ML_PRELOAD_MODELS: string;
  ML_MAX_MODELS: number;
  ML_WORKERS?: number;
  ML_INTRA_OP_THREADS: number;
  ML_WORKER_NICE: number;
  ML_WORKER_PIPELINE_DEPTH: number;
  ML_MAX_TOKENS: number;
  ML_MAX_TEXT_LENGTH: number;
  ML_MAX_BATCH_TEXTS: number;
  ML_INFERENCE_MODE: 'worker' | 'main-thread';
  ML_COALESCE: boolean;
  ML_MICRO_BATCH_MAX: number;
  ML_MICRO_BATCH_WAIT_MS: number;
  ML_MICRO_BATCH_MAX_AGE_MS: number;
  ML_WARMUP_FILE: string;

  CHAT_MAX_MESSAGE_LENGTH: number;
  CHAT_COOKIE_NAME: string;
  CHAT_COOKIE_SECURE?: boolean;
  CHAT_COOKIE_SAMESITE: 'lax' | 'strict' | 'none';
  THROTTLE_TTL_SECONDS: number;
  THROTTLE_LIMIT: number;

  STUDY_CONTENT_FILE: string;

  LLM_BASE_URL: string;
  LLM_API_KEY: string;
  LLM_MODEL: string;
  LLM_TIMEOUT_MS: number;
  LLM_MAX_CONCURRENT: number;
  LLM_RETRIES: number;
  LLM_BREAKER_THRESHOLD: number;
  LLM_BREAKER_COOLDOWN_MS: number;

  QUEUE_PROCESS_IN_API?: boolean;
  WORKER_HEARTBEAT_FILE: string;
  QUEUE_CLASSIFY_CONCURRENCY: number;
  QUEUE_JOB_ATTEMPTS: number;
  QUEUE_LOCK_DURATION_MS: number;
  QUEUE_STALLED_INTERVAL_MS: number;
  QUEUE_BACKOFF_MS: number;
  QUEUE_KEEP_COMPLETED: number;
  QUEUE_KEEP_FAILED: number;
  QUEUE_RETENTION_HOURS: number;
  CONVERSATION_TTL: number;
  SCHEDULE_ABANDON_CRON: string;
  SCHEDULE_PURGE_CRON: string;
  SCHEDULE_METRICS_SNAPSHOT_CRON: string;
  METRICS_SNAPSHOT_RETENTION_DAYS: number;
  SCHEDULE_RETENTION_CRON: string;

  DATA_RETENTION_DAYS?: number;
  DATA_RETENTION_TRANSCRIPTS: boolean;
  EXPORT_PSEUDONYM_KEY: string;

  HEALTH_HEAP_LIMIT_MB?: number;
  HEALTH_RSS_LIMIT_MB: number;
  HEALTH_MEMORY_LIVENESS_GRACE_MS: number;
  METRICS_REQUIRE_AUTH: boolean;
  METRICS_API_KEY: string;
}

/**
 * A cron expression as the queues read it (cron-parser): 5 fields, or 6 with seconds first. A bad one never runs its
 * job; one with fewer fields (`5`, `* * *`) cron-parser fills in and runs on a schedule nobody meant, and a macro
 * (`@daily`) is refused as well, so the rule stays the one the README states.
 */
function cronSchedule(fallback: string): Joi.StringSchema {
  return Joi.string()
    .custom((value: string) => {
      const fields = value.trim().split(/\s+/).length;
      if (fields !== 5 && fields !== 6) throw new Error(`5 fields, or 6 with seconds first; this has ${fields}`);
      parseExpression(value);
      return value;
    })
    .messages({ 'any.custom': 'is not a cron expression ({{#error.message}})' })
    .default(fallback);
}

/**
 * A key (admin, metrics, pseudonym): 16 characters or more of printable ASCII, with no white space at either end. A
 * Secret made with `echo key | base64` holds a newline no client sends, 16 spaces would pass the length for a key
 * anyone guesses, and an HTTP header carries no other characters (a key with `ü` would match no `X-Api-Key`).
 */
function secretKey(): Joi.StringSchema {
  return Joi.string()
    .min(16)
    .pattern(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/)
    .allow('')
    .default('')
    .messages({
      'string.pattern.base':
        'must be printable ASCII with no white space at either end (what an HTTP header carries; a newline `echo` left in a Secret?)',
    });
}

/**
 * The CORS allow-list: `*`, or origins exactly as a browser sends them (`scheme://host[:port]`, lower case, no
 * default port, no path, no trailing slash, no wildcard). Any other entry could never match a page, and the chat page
 * would meet a network error on every call while health says ok; the refusal names the origin meant where there is
 * one (`HTTPS://Example.com:443` → `https://example.com`, `bücher.de` → its `xn--` form).
 */
const corsOrigins = Joi.string()
  .allow('')
  .custom((value: string) => {
    const entries = value.split(',').map((item) => item.trim());
    if (entries.every((entry) => entry === '')) throw new Error('names no origin');
    for (const entry of entries) {
      if (entry === '' || entry === '*') continue;
      let origin: string | undefined;
      try {
        const url = new URL(entry);
        if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname.includes('*') && url.port !== '0')
          origin = url.origin;
      } catch {
        // not a URL: refused below
      }
      if (origin === entry) continue;
      const meant =
        origin !== undefined && origin !== 'null'
          ? `: ${origin}`
          : ' (scheme://host[:port], no path, trailing slash or wildcard)';
      throw new Error(`${entry.slice(0, 100)} is not an origin as a browser sends it${meant}`);
    }
    return value;
  })
  .messages({ 'any.custom': '{{#error.message}}' });

/** A cookie name as RFC 6265 allows it (an HTTP token): anything else makes setting the cookie throw. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The chat cookie's name: a cookie name, and none whose prefix the cookie cannot honour, or browsers drop it: `__Host-`
 * needs `Path=/` (the chat cookie's path is `/api`), `__Secure-` needs Secure on every answer.
 */
const chatCookieName = Joi.string()
  .pattern(COOKIE_NAME)
  .custom((value: string, helpers) => {
    if (/^__host-/i.test(value)) throw new Error('the __Host- prefix needs Path=/; the chat cookie is set on /api');
    const secure = (helpers.state.ancestors as Record<string, unknown>[])[0]?.CHAT_COOKIE_SECURE;
    if (/^__secure-/i.test(value) && String(secure) !== 'true')
      throw new Error('the __Secure- prefix needs CHAT_COOKIE_SECURE=true');
    return value;
  })
  .default('combot_sid')
  .messages({
    'string.pattern.base': "must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only",
    'any.custom': '{{#error.message}}',
  });

/** A duration in milliseconds that ends up in a timer: at least `min`, at most the longest timer Node can set. */
function timerMs(
  min: number,
  max = MAX_TIMER_MS,
  why = 'the longest timer Node can set, ~24.8 days',
): Joi.NumberSchema {
  return Joi.number()
    .integer()
    .min(min)
    .max(max)
    .messages({ 'number.max': `must be at most ${max} (${why})` });
}

/** Node's HTTP server times an idle keep-alive socket out this much later than `keepAliveTimeout`. */
const KEEP_ALIVE_TIMEOUT_BUFFER_MS = 1000;

/** A TCP port to listen on or connect to; 0 (any free port) would leave whoever connects not knowing which. */
function tcpPort(): Joi.NumberSchema {
  const problem = 'must be a TCP port, 1–65535';
  return Joi.number()
    .integer()
    .min(1)
    .max(65535)
    .messages({ 'number.integer': problem, 'number.min': problem, 'number.max': problem });
}

/** `off`, `loopback`, a hop count, or addresses and CIDRs Express can compile (each address valid, prefix in range). */
function isTrustProxySetting(value: string): boolean {
  if (/^(off|loopback|\d{1,2})$/.test(value)) return true;
  return value.split(',').every((entry) => {
    const [address, prefix, ...rest] = entry.trim().split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
  });
}

export const envSchema = Joi.object<Env, true>({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PORT: tcpPort().default(8000),
  HOST: Joi.string().default('0.0.0.0'),
  // Without Redis, jobs (and their ids), schedules and rate-limit counters live in each process.
  API_PROCESSES: Joi.number()
    .integer()
    .min(1)
    .max(64)
    .when('REDIS_HOST', {
      is: '',
      then: Joi.number().max(1).messages({
        'number.max': 'needs REDIS_HOST (without Redis, jobs, schedules and rate limits are per process)',
      }),
    }),
  API_PROCESS_STALL_TIMEOUT_MS: Joi.number().integer().min(2000).max(600000).default(30000),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  LOG_PRETTY: Joi.boolean().default(false),
  CORS_ORIGINS: corsOrigins.default('http://localhost:3000,http://127.0.0.1:3000'),
  BODY_LIMIT: Joi.string()
    .custom((value: string) => {
      // Below a kilobyte no chat turn fits; past 100 MB one request would hold the heap of a small pod.
      const bytes = byteLimitOf(value);
      if (!(bytes >= 1024 && bytes <= 100 * 1024 * 1024)) throw new Error('out of range');
      return value;
    })
    .messages({ 'any.custom': 'must be a size from 1kb to 100mb (a number and b, kb or mb)' })
    .default('100kb'),
  HTTP_MAX_JSON_DEPTH: Joi.number().integer().min(2).max(1000).default(32),
  HTTP_HEADERS_TIMEOUT_MS: timerMs(1000).default(15000),
  HTTP_REQUEST_TIMEOUT_MS: timerMs(1000).default(60000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: timerMs(
    1000,
    MAX_TIMER_MS - KEEP_ALIVE_TIMEOUT_BUFFER_MS,
    'the longest timer Node can set, less the 1 s it adds to an idle connection',
  ).default(65000),
  TRUST_PROXY: Joi.string()
    .custom((value: string) => {
      if (!isTrustProxySetting(value)) throw new Error('not a trust setting');
      return value;
    })
    .messages({ 'any.custom': 'must be off, loopback, a hop count or a comma-separated list of addresses/CIDRs' })
    .default('off'),
  SHUTDOWN_TIMEOUT_MS: timerMs(0).default(10000),
  ADMIN_API_KEY: secretKey(),
  ADMIN_SESSION_TTL_MINUTES: Joi.number().integer().min(1).max(10080).default(480),
  ADMIN_SESSION_COOKIE_SECURE: Joi.boolean(),
  ADMIN_LOGIN_MAX_FAILURES: Joi.number().integer().min(1).max(1000).default(5),
  ADMIN_LOGIN_WINDOW_SECONDS: Joi.number().integer().min(1).max(86400).default(900),

  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .allow('')
    .default(''),
  DB_MIGRATE_ON_START: Joi.boolean(),
  DB_POOL_SIZE: Joi.number().integer().min(1).max(200).default(20),
  DB_CONNECT_TIMEOUT_MS: Joi.number().integer().min(100).max(60000).default(3000),
  DB_STATEMENT_TIMEOUT_MS: Joi.number().integer().min(100).max(600000).default(5000),
  DB_LOCK_TIMEOUT_MS: Joi.number().integer().min(0).max(600000).default(0),
  DB_LOG_QUERIES: Joi.boolean().default(false),
  EMBEDDED_DB_DIR: Joi.string().default('data/postgres'),
  EMBEDDED_DB_PORT: tcpPort(),

  REDIS_HOST: Joi.string().allow('').default(''),
  REDIS_PORT: tcpPort().default(6379),
  REDIS_DB: Joi.number().integer().min(0).max(15).default(0),
  REDIS_PASSWORD: Joi.string().allow('').default(''),
  REDIS_KEY_PREFIX: Joi.string().default('combot'),
  REDIS_CONNECT_TIMEOUT_MS: timerMs(50).default(500),
  REDIS_COMMAND_TIMEOUT_MS: timerMs(10).default(250),

  MAX_CONCURRENT_ML_OPERATIONS: Joi.number().integer().min(1).max(256).default(3),
  ML_RESULT_CACHE_TIMEOUT: Joi.number().integer().min(1).default(7200),
  REQUEST_QUEUE_TIMEOUT: Joi.number()
    .min(0.01)
    .max(MAX_TIMER_MS / 1000)
    .messages({
      'number.max': `must be at most ${MAX_TIMER_MS / 1000} (seconds; the longest timer Node can set, ~24.8 days)`,
    })
    .default(30),
  ML_MAX_QUEUED_REQUESTS: Joi.number().integer().min(0).default(1000),
  ML_MODEL_ID: Joi.string().default('combot-complaint-classifier'),
  ML_MODEL_REVISION: Joi.string().default('main'),
  ML_MODELS_DIR: Joi.string().default('models'),
  ML_ALLOW_REMOTE_MODELS: Joi.boolean().default(false),
  ML_PRELOAD_MODELS: Joi.string().allow('').default(''),
  ML_MAX_MODELS: Joi.number().integer().min(1).max(16).default(2),
  ML_WORKERS: Joi.number().integer().min(1).max(64),
  ML_INTRA_OP_THREADS: Joi.number().integer().min(1).max(64).default(1),
  ML_WORKER_NICE: Joi.number().integer().min(0).max(19).default(10),
  ML_WORKER_PIPELINE_DEPTH: Joi.number().integer().min(1).max(8).default(2),
  ML_MAX_TOKENS: Joi.number().integer().min(8).max(512).default(128),
  ML_MAX_TEXT_LENGTH: Joi.number().integer().min(1).max(100000).default(2000),
  ML_MAX_BATCH_TEXTS: Joi.number().integer().min(1).max(1000).default(32),
  ML_INFERENCE_MODE: Joi.string().valid('worker', 'main-thread').default('worker'),
  ML_COALESCE: Joi.boolean().default(true),
  ML_MICRO_BATCH_MAX: Joi.number().integer().min(1).max(64).default(1),
  ML_MICRO_BATCH_WAIT_MS: Joi.number().integer().min(0).max(100).default(2),
  ML_MICRO_BATCH_MAX_AGE_MS: Joi.number().integer().min(0).max(60000).default(50),
  ML_WARMUP_FILE: Joi.string().default('data/warmup-complaints.txt'),

  CHAT_MAX_MESSAGE_LENGTH: Joi.number().integer().min(1).max(100000).default(2000),
  CHAT_COOKIE_NAME: chatCookieName,
  // Browsers drop a SameSite=None cookie that is not Secure: the participant's conversation would never resume.
  CHAT_COOKIE_SECURE: Joi.boolean().when('CHAT_COOKIE_SAMESITE', {
    is: 'none',
    then: Joi.valid(true).messages({ 'any.only': 'must be true with CHAT_COOKIE_SAMESITE=none (or left unset)' }),
  }),
  CHAT_COOKIE_SAMESITE: Joi.string().valid('lax', 'strict', 'none').default('lax'),
  THROTTLE_TTL_SECONDS: Joi.number().integer().min(1).max(86400).default(60),
  THROTTLE_LIMIT: Joi.number().integer().min(0).default(600),

  STUDY_CONTENT_FILE: Joi.string().default('studies/example.json'),

  LLM_BASE_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow('')
    .default(''),
  LLM_API_KEY: Joi.string().allow('').default(''),
  LLM_MODEL: Joi.string().default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: timerMs(100).default(4000),
  LLM_MAX_CONCURRENT: Joi.number().integer().min(1).max(1000).default(4),
  LLM_RETRIES: Joi.number().integer().min(0).max(3).default(1),
  LLM_BREAKER_THRESHOLD: Joi.number().integer().min(1).max(100).default(3),
  LLM_BREAKER_COOLDOWN_MS: timerMs(100).default(30000),

  QUEUE_PROCESS_IN_API: Joi.boolean(),
  WORKER_HEARTBEAT_FILE: Joi.string().allow('').default(''),
  QUEUE_CLASSIFY_CONCURRENCY: Joi.number().integer().min(1).max(256).default(3),
  QUEUE_JOB_ATTEMPTS: Joi.number().integer().min(1).max(100).default(3),
  QUEUE_LOCK_DURATION_MS: timerMs(1000).default(10000),
  QUEUE_STALLED_INTERVAL_MS: timerMs(1000).default(10000),
  QUEUE_BACKOFF_MS: timerMs(0).default(1000),
  QUEUE_KEEP_COMPLETED: Joi.number().integer().min(0).default(1000),
  QUEUE_KEEP_FAILED: Joi.number().integer().min(0).default(5000),
  QUEUE_RETENTION_HOURS: Joi.number().min(0).default(24),
  // At most a year: the abandon job's `now() - ttl` must stay a PostgreSQL timestamp.
  CONVERSATION_TTL: Joi.number().integer().min(60).max(31536000).default(3600),
  SCHEDULE_ABANDON_CRON: cronSchedule('*/5 * * * *'),
  SCHEDULE_PURGE_CRON: cronSchedule('17 * * * *'),
  SCHEDULE_METRICS_SNAPSHOT_CRON: cronSchedule('* * * * *'),
  METRICS_SNAPSHOT_RETENTION_DAYS: Joi.number().integer().min(1).max(36500).default(30),
  SCHEDULE_RETENTION_CRON: cronSchedule('43 3 * * *'),

  DATA_RETENTION_DAYS: Joi.number().integer().min(1).max(36500),
  DATA_RETENTION_TRANSCRIPTS: Joi.boolean().default(false),
  EXPORT_PSEUDONYM_KEY: secretKey(),

  HEALTH_HEAP_LIMIT_MB: Joi.number().integer().min(16),
  HEALTH_RSS_LIMIT_MB: Joi.number().integer().min(16).default(2048),
  HEALTH_MEMORY_LIVENESS_GRACE_MS: timerMs(0).default(300000),
  METRICS_REQUIRE_AUTH: Joi.boolean().default(false),
  // A key of its own: Prometheus keeps it in its configuration, and the admin key also opens the researcher export.
  METRICS_API_KEY: secretKey()
    .invalid(Joi.ref('ADMIN_API_KEY'))
    .messages({ 'any.invalid': 'must differ from ADMIN_API_KEY' }),
});

export type RawEnv = Record<string, string | undefined>;
