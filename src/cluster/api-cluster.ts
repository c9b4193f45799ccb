import cluster, { type Worker } from 'node:cluster';
import { serviceAddress } from '../common/http-paths';
import { processLogger } from '../common/process-log';
import { StartupError } from '../common/startup.error';
import { STOP_SIGNALS } from '../common/stop-signals';
import type { AppConfig } from '../config/app-config';
import { timerDelay } from '../config/timer-limit';
import { EmbeddedPostgresServer } from '../database/embedded-postgres.server';
import { serveClusterMetrics } from '../metrics/cluster-metrics';
import { watchHeartbeats } from './process-heartbeat';

/**
 * The primary's log: the same pino JSON lines (and LOG_LEVEL, LOG_PRETTY) as the HTTP processes, without loading
 * Nest for it.
 */
function primaryLogger(config: AppConfig): {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
} {
  const logger = processLogger(config, 'primary', 'ApiCluster');
  return {
    log: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  };
}

/** A process that dies more often than this is broken, not unlucky: the cluster stops instead of looping. */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1000;
/** Exit codes of a process that could not start for a reason a restart does not fix (see startup.error.ts). */
const STARTUP_FAILURE_CODES = new Set([69, 78]);

/**
 * The primary of `API_PROCESSES` HTTP processes: every core serves requests (one Node event loop is the ceiling
 * of one process). The primary serves nothing itself: it starts the embedded PostgreSQL when there is no
 * DATABASE_URL (the processes attach to it), forks the first process and waits until it listens (it runs the
 * migrations, so no two processes migrate at once), then the rest; it replaces a process that dies (unless they
 * die five times a minute: then it stops, with the exit code of a startup failure when that is why they died) and,
 * on SIGTERM, SIGINT or SIGHUP, passes SIGTERM on, waits for every process to drain and exit, then stops the
 * database. A later signal while it stops changes nothing, and no process is started or replaced once it stops.
 * Node's cluster module shares the listening port, handing connections out round-robin.
 */
export async function runApiCluster(config: AppConfig): Promise<void> {
  const logger = primaryLogger(config);
  const embedded = config.database.url
    ? null
    : new EmbeddedPostgresServer({
        dataDir: config.database.embeddedDir,
        port: config.database.embeddedPort,
        log: (message) => logger.log(message),
      });
  if (embedded) await embedded.start();

  // A scrape of /api/metrics, whichever process takes it, answers for all of them.
  serveClusterMetrics();
  const count = config.http.processes;
  const restarts: number[] = [];
  let starting = true;
  let stopping = false;

  /** Resolves when the process listens; one that exits first failed to start (its reason is on stderr already). */
  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      worker.once('listening', () => resolve(worker));
      worker.once('exit', (code, signal) =>
        reject(new StartupError(`an API process stopped while starting (${signal ?? `exit code ${code}`})`, code || 1)),
      );
    });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping || starting) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0] < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      logger.error(`API processes died ${restarts.length} times in a minute; stopping`);
      // Replacements that cannot start (a setting, a database gone) say so to whoever runs the cluster.
      void stop(signal === null && STARTUP_FAILURE_CODES.has(code) ? code : 1);
      return;
    }
    logger.warn(`API process ${worker.process.pid} exited (${signal ?? code}); starting a replacement`);
    setTimeout(() => {
      if (stopping) return;
      fork().catch((error: unknown) => logger.error(error instanceof Error ? error.message : String(error)));
    }, RESTART_DELAY_MS);
  });

  // A process whose event loop went silent (blocked, or stopped) still holds its share of the connections: killed,
  // it is replaced as any process that dies.
  const stopWatching = watchHeartbeats(config.http.processStallTimeoutMs, (worker, silentMs) => {
    if (stopping || worker.isDead()) return;
    logger.error(
      `API process ${worker.process.pid} sent no heartbeat for ${Math.round(silentMs / 1000)} s (event loop blocked ` +
        'or process stopped); killing it',
    );
    worker.process.kill('SIGKILL');
  });

  const stop = async (exitCode: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stopWatching();
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    logger.log(`stopping ${workers.length} API process(es)`);
    let failed = 0;
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            // Each process drains its own requests (SHUTDOWN_TIMEOUT_MS); a process that hangs is killed after it.
            const deadlineMs = timerDelay(config.http.shutdownTimeoutMs + 5000);
            const kill = setTimeout(() => {
              logger.error(`API process ${worker.process.pid} did not stop within ${deadlineMs} ms; killed`);
              worker.process.kill('SIGKILL');
            }, deadlineMs);
            worker.once('exit', (code) => {
              clearTimeout(kill);
              // A process that cut requests at SHUTDOWN_TIMEOUT_MS exits 1, one killed has no code: the cluster's
              // exit says so too.
              if (code !== 0) failed++;
              resolve();
            });
            worker.process.kill(signal);
          }),
      ),
    );
    embedded?.stop();
    logger.log(
      `stopped ${workers.length} API process(es)` +
        (failed > 0 ? `; ${failed} cut requests or were killed (see their lines)` : ', every request answered'),
    );
    process.exit(exitCode === 0 && failed > 0 ? 1 : exitCode);
  };
  for (const signal of STOP_SIGNALS)
    process.on(signal, () => {
      if (stopping) logger.warn(`${signal} while stopping: the processes go on draining`);
      void stop(0, 'SIGTERM');
    });

  try {
    await fork();
    await Promise.all(Array.from({ length: count - 1 }, () => fork()));
  } catch (error) {
    // A signal during the start stops the processes as they start: that is no startup failure.
    if (stopping) return;
    logger.error(error instanceof Error ? error.message : String(error));
    await stop(error instanceof StartupError ? error.exitCode : 1);
  }
  starting = false;
  if (stopping) return;
  logger.log(`${count} API processes listening on ${serviceAddress(config)}`);
}
