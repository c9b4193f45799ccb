import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureHttpApp } from '../../src/common/http-setup';
import { AppConfig } from '../../src/config/app-config';
import { deleteKeys } from './redis-keys';
import { configuredStudyFile } from './study-content';
import { recreateTestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  databaseUrl: string;
}

/** Variables a test app never inherits from the machine: it states its own services. */
const ISOLATED = [
  'DATABASE_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_KEY_PREFIX',
  'LLM_BASE_URL',
  'ADMIN_API_KEY',
  'STUDY_CONTENT_FILE',
  'DATA_RETENTION_DAYS',
  'DATA_RETENTION_TRANSCRIPTS',
  'EXPORT_PSEUDONYM_KEY',
];

/**
 * Runs `build` with `process.env` set to `env` as the process would see it at start, then restores it:
 * the app reads its configuration (and picks its queue backend) from the environment, as in production.
 */
export async function withEnv<T>(env: Record<string, string>, build: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of ISOLATED) delete process.env[key];
  Object.assign(process.env, env);
  try {
    return await build();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/**
 * The whole application over HTTP, as `api-process.ts` builds it, on a fresh migrated `*_test` database.
 * `env` adds or overrides variables; REDIS_HOST is unset unless given (in-memory cache, in-process jobs).
 */
export async function createTestApp(database: string, env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await recreateTestDatabase(database);
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    DB_MIGRATE_ON_START: 'true',
    CORS_ORIGINS: 'http://client.test',
    STUDY_CONTENT_FILE: configuredStudyFile(),
    ...env,
  };
  return withEnv(fullEnv, async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
    configureHttpApp(app);
    await app.init();
    const config = app.get(AppConfig);
    const prefix = env.REDIS_KEY_PREFIX;
    // A run's own keys on the shared Redis (queues, schedules, cache, rate limits) go when its app closes; only
    // under a test's own prefix, never the default one another process may use.
    if (config.redis.host && prefix?.startsWith('combot-test-')) {
      const close = app.close.bind(app);
      const target = { host: config.redis.host, port: config.redis.port };
      app.close = async () => {
        await close();
        await deleteKeys(target, prefix);
      };
    }
    return { app, config, databaseUrl };
  });
}
