import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnStartupFailure } from './common/startup.error';
import { AppConfig, ConfigValidationError } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';
import { WorkerModule } from './worker.module';

const HEARTBEAT_EVERY_MS = 5000;

/** `npm run start:worker`: runs the queue processors in their own process (the seed's Celery worker + beat). */
async function bootstrap(): Promise<void> {
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  if (!config.redis.host) {
    process.stderr.write(
      'The worker needs Redis (REDIS_HOST): without it jobs run in-process inside the API (QUEUE_PROCESS_IN_API).\n',
    );
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
  app.get(Logger).log('Combot worker started: processing the ml and maintenance queues', 'Bootstrap');
  if (config.queue.heartbeatFile) beat(config.queue.heartbeatFile);
}

/** Touches `file` now and every few seconds from the event loop; a blocked loop leaves it stale (the probe's signal). */
function beat(file: string): void {
  const touch = (): void => writeFileSync(file, `${new Date().toISOString()}\n`);
  touch();
  setInterval(touch, HEARTBEAT_EVERY_MS).unref();
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) return;
  exitOnStartupFailure('Combot worker', error);
});
