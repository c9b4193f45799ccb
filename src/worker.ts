import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnStartupFailure } from './common/startup.error';
import { STOP_SIGNALS } from './common/stop-signals';
import { AppConfig, ConfigValidationError } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';
import { QueueWorker } from './queue/queue-worker';
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
  const logger = app.get(Logger);
  let stopping = false;
  /**
   * Shutdown, in the order that fails no job: stop taking jobs and let the active ones finish while every module they
   * use is still up (Nest's own shutdown hooks would unload the models and close the cache under them, failing each
   * job in flight and burning one of its attempts), at most SHUTDOWN_TIMEOUT_MS; then close the application. A
   * second signal during the drain changes nothing.
   */
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.log(`${signal} ignored: already finishing the active jobs`, 'Bootstrap');
      return;
    }
    stopping = true;
    const started = Date.now();
    logger.log(`${signal}: taking no new jobs, finishing the active ones`, 'Bootstrap');
    try {
      await app.get(QueueWorker).stopProcessing(config.http.shutdownTimeoutMs);
      await app.close();
      logger.log(`stopped in ${Date.now() - started} ms`, 'Bootstrap');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, 'Bootstrap');
      process.exit(1);
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(signal));
  logger.log('Combot worker started: processing the ml and maintenance queues', 'Bootstrap');
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
