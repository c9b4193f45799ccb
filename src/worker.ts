import 'reflect-metadata';
import { rmSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { reasonOf, ThrottledWarning } from './common/throttled-warning';
import { logProcessWarnings, processLogger, warnLineOf } from './common/process-log';
import { exitOnStartupFailure, StartupError } from './common/startup.error';
import { STOP_SIGNALS } from './common/stop-signals';
import { AppConfig, ConfigValidationError } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';
import { timerDelay } from './config/timer-limit';
import { QueueWorker } from './queue/queue-worker';
import { WorkerModule } from './worker.module';

const HEARTBEAT_EVERY_MS = 5000;
/** Past the drain's deadline, how long a worker stopped while starting may take to finish starting and drain. */
const STARTING_STOP_GRACE_MS = 5000;

/** `npm run start:worker`: runs the queue processors in their own process (the seed's Celery worker + beat). */
async function bootstrap(): Promise<void> {
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  logProcessWarnings(warnLineOf(processLogger(config, 'worker', 'Process')));
  if (!config.redis.host) {
    process.stderr.write(
      'The worker needs Redis (REDIS_HOST): without it jobs run in-process inside the API (QUEUE_PROCESS_IN_API).\n',
    );
    process.exit(78);
  }
  // A heartbeat that cannot be written is a setting to fix, found before any job is taken.
  if (config.queue.heartbeatFile) {
    const failure = writeHeartbeat(config.queue.heartbeatFile);
    if (failure) {
      throw new StartupError(`WORKER_HEARTBEAT_FILE=${config.queue.heartbeatFile}: cannot be written (${failure})`);
    }
    // Then gone again until the first beat, once the processors run: a start-up probe waits for the file, and one
    // left by the container this one replaces (an emptyDir outlives a restart) must not pass for this start's.
    rmSync(config.queue.heartbeatFile, { force: true });
  }
  // Signals are taken before the application exists: the processors start taking jobs while it initialises, and a
  // SIGTERM then must drain them too, not end the process under them (Node's default for an unhandled SIGTERM). A
  // start that hangs (a dependency that never answers) still ends, a few seconds past the drain's own deadline.
  let stopRequested: NodeJS.Signals | null = null;
  let shutdown = (signal: NodeJS.Signals): void => {
    if (stopRequested) return;
    stopRequested = signal;
    setTimeout(() => process.exit(1), timerDelay(config.http.shutdownTimeoutMs + STARTING_STOP_GRACE_MS)).unref();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, (received: NodeJS.Signals) => shutdown(received));
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
   * second signal during the drain changes nothing. Exits 1 when jobs were still active at the deadline (they run
   * again elsewhere once their lock expires), so a supervisor sees a drain that did not finish.
   */
  const drain = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.log(`${signal} ignored: already finishing the active jobs`, 'Bootstrap');
      return;
    }
    stopping = true;
    const started = Date.now();
    logger.log(`${signal}: taking no new jobs, finishing the active ones`, 'Bootstrap');
    try {
      const drained = await app.get(QueueWorker).stopProcessing(config.http.shutdownTimeoutMs);
      await app.close();
      logger.log(`stopped in ${Date.now() - started} ms${drained ? '' : ', leaving active jobs behind'}`, 'Bootstrap');
      process.exit(drained ? 0 : 1);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, 'Bootstrap');
      process.exit(1);
    }
  };
  shutdown = (signal) => void drain(signal);
  if (stopRequested) return drain(stopRequested);
  logger.log('Combot worker started: processing the ml and maintenance queues', 'Bootstrap');
  if (config.queue.heartbeatFile) beat(config.queue.heartbeatFile, new ThrottledWarning(new NestLogger('Heartbeat')));
}

/** Writes the heartbeat; the error's code (or message) when it could not, else null. */
function writeHeartbeat(file: string): string | null {
  try {
    writeFileSync(file, `${new Date().toISOString()}\n`);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? reasonOf(error);
  }
}

/**
 * Touches `file` now and every few seconds from the event loop; a blocked loop leaves it stale (the probe's signal).
 * A write that fails (its folder gone, a full disk) is warned about, never thrown: a crash would drop the jobs in
 * hand until their locks expire, while a stale file already gets the worker restarted, with a drain, by its probe.
 */
function beat(file: string, warning: ThrottledWarning): void {
  const touch = (): void => {
    const failure = writeHeartbeat(file);
    if (failure)
      warning.warn(`heartbeat ${file} could not be written (${failure}); the liveness probe will see it stale`);
  };
  touch();
  setInterval(touch, HEARTBEAT_EVERY_MS).unref();
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) return;
  exitOnStartupFailure('Combot worker', error);
});
