import 'reflect-metadata';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsInJson, answerProtocolRefusalsInJson } from './common/client-error';
import { listenFailure } from './common/listen-failure';
import { processLogger } from './common/process-log';
import { configureHttpApp } from './common/http-setup';
import { serviceAddress } from './common/http-paths';
import { sendHeartbeats } from './cluster/process-heartbeat';
import { KEEP_ALIVE_DRAIN_GRACE_MS, KeepAliveDrain } from './common/keep-alive-drain';
import { STOP_SIGNALS } from './common/stop-signals';
import { AppConfig } from './config/app-config';
import { timerDelay } from './config/timer-limit';
import { QueueWorker } from './queue/queue-worker';

/** How often the server enforces `HTTP_HEADERS_TIMEOUT_MS` and `HTTP_REQUEST_TIMEOUT_MS`: their precision. */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/**
 * Starts the application and listens, as `app.listen` does, but a port or host it cannot listen on reaches the caller
 * only as `listenFailure`'s one line: `app.listen` would also log the error itself at error level first.
 */
async function listenOn(app: NestExpressApplication, config: AppConfig): Promise<Server> {
  await app.init();
  const server = app.getHttpServer();
  // Node enforces the headers and request timeouts when it checks its connections, every 30 s by default: a client
  // that never finishes its headers or its body would be held up to 30 s past the configured bound. Read at listen.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    CONNECTIONS_CHECK_INTERVAL_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenFailure(error, config.http) ?? error;
  });
  return server;
}

/**
 * A stop signal while the application starts (the database, migrations, the model): nothing is served yet, so there
 * is nothing to drain and no request to cut. The process says so and exits 0 (as a drain that cut nothing does),
 * running the exit handlers Node's default action for the signal would skip (the embedded PostgreSQL it started
 * stops with it; a migration in progress is rolled back by its transaction).
 */
function stopWhileStarting(config: AppConfig): () => void {
  const logger = processLogger(config, 'api', 'Bootstrap');
  const stop = (signal: NodeJS.Signals): void => {
    logger.info(`${signal} while starting: stopping`);
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  return () => STOP_SIGNALS.forEach((signal) => process.off(signal, stop));
}

/** One HTTP process: the Nest application on the shared port. */
export async function serveApi(config: AppConfig): Promise<void> {
  const started = stopWhileStarting(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
    // A failed start reaches main.ts's catch (one line, an exit code) instead of Nest's own stack-trace dump;
    // the logs buffered until then stay unprinted unless the start succeeds.
    abortOnError: false,
    autoFlushLogs: false,
  });
  configureHttpApp(app);
  const server = await listenOn(app, config);
  // Bounded waits for slow or idle clients; keep-alive outlives a load balancer's idle timeout (nginx, ingress:
  // 60 s) so it never reuses a connection this side just closed.
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = config.http.requestTimeoutMs;
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  answerClientErrorsInJson(server);
  answerProtocolRefusalsInJson(server);
  const drain = new KeepAliveDrain(server);
  let stopping = false;
  /**
   * Shutdown, in the order that loses no request: keep-alive clients are told to close while every part of the
   * application still serves, then the server stops accepting and waits for the requests in flight, then the jobs
   * this process runs itself (QUEUE_PROCESS_IN_API) finish, and only then does the application close (Nest's
   * `close()` runs the modules' destroy hooks before it closes the server, so requests and jobs still running would
   * find the cache and the model pool gone). Requests and jobs share one budget, `SHUTDOWN_TIMEOUT_MS` after the
   * grace: past it, requests have their sockets cut and jobs are left to their queue.
   */
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const logger = app.get(Logger);
    const started = Date.now();
    const requests = (count: number): string => `${count} request${count === 1 ? '' : 's'} in flight`;
    logger.log(`${signal}: draining, ${requests(drain.inFlightCount)}`, 'Bootstrap');
    const grace = Math.min(KEEP_ALIVE_DRAIN_GRACE_MS, config.http.shutdownTimeoutMs);
    const deadline = Date.now() + grace + config.http.shutdownTimeoutMs;
    let cut = 0;
    setTimeout(
      () => {
        cut = drain.inFlightCount;
        if (cut > 0) logger.warn(`SHUTDOWN_TIMEOUT_MS passed: cutting ${requests(cut)}`, 'Bootstrap');
        server.closeAllConnections();
      },
      timerDelay(grace + config.http.shutdownTimeoutMs),
    ).unref();
    try {
      await drain.drain(grace);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() waits for every connection, and one that carries no request (a browser's preconnect, a client still
      // sending its headers) would hold it until the deadline: once no request is in flight, none is left to answer.
      const closeUnused = setInterval(() => {
        if (drain.inFlightCount === 0) server.closeAllConnections();
      }, 100);
      await closed.finally(() => clearInterval(closeUnused));
      const drained = await app.get(QueueWorker).stopProcessing(Math.max(0, deadline - Date.now()));
      await app.close();
      logger.log(`stopped in ${Date.now() - started} ms${drained ? '' : ', leaving active jobs behind'}`, 'Bootstrap');
      // Requests cut are requests a client saw fail, jobs left run again elsewhere: the exit says so, as the worker's.
      process.exit(cut > 0 || !drained ? 1 : 0);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, 'Bootstrap');
      process.exit(1);
    }
  };
  started();
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(signal));
  sendHeartbeats();
  const mode = config.mode;
  const where = cluster.isWorker ? `process ${process.pid} of ${config.http.processes}` : 'one process';
  app
    .get(Logger)
    .log(
      `Combot API listening on ${serviceAddress(config)} (${where}; database: ${mode.database}, cache and queues: ${mode.redis === 'memory' ? 'in-process, non-durable' : 'Redis'})`,
      'Bootstrap',
    );
}
