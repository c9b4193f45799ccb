import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureHttpApp } from '../../src/common/http-setup';
import { AppConfig } from '../../src/config/app-config';
import { recreateTestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  databaseUrl: string;
}

/**
 * The whole application over HTTP, as `main.ts` builds it, on a fresh migrated `*_test` database.
 * `env` adds or overrides variables; REDIS_HOST is unset unless given (in-memory cache, in-process jobs).
 */
export async function createTestApp(database: string, env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await recreateTestDatabase(database);
  const config = new AppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    DB_MIGRATE_ON_START: 'true',
    CORS_ORIGINS: 'http://client.test',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureHttpApp(app);
  await app.init();
  return { app, config, databaseUrl };
}
