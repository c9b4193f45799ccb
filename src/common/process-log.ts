import os from 'node:os';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { prettyTransport } from './log-format';

/** The role a long-running process names in its log lines. */
export type LoggingRole = 'api' | 'primary' | 'worker';

/**
 * A pino logger writing the same JSON lines (level, LOG_PRETTY, `pid`, `hostname`, `role`) as the Nest application's,
 * for code that runs outside it: the cluster's primary, and warnings Node raises before or beside the application.
 */
export function processLogger(config: AppConfig, role: LoggingRole, context: string): Logger {
  return pino({
    level: config.log.level,
    transport: prettyTransport(config.log.pretty),
    base: { pid: process.pid, hostname: os.hostname(), role },
  }).child({ context });
}

/** A process warning as a log line holds it: its name, and its code when it has one. */
export interface ProcessWarning {
  name: string;
  code?: string;
}

/**
 * Node prints a process warning (a library's `process.emitWarning`, such as node-postgres on an `sslmode` it reads
 * differently from libpq, or a deprecation) as a plain `(node:123) Warning: …` block on stderr: in a log collector
 * reading JSON lines those are lines it cannot parse, at no level. Each one goes to `write` instead (a warn line of
 * the process's log, or a command's one line); Node's own printer is removed (it is the only listener Node adds).
 */
export function logProcessWarnings(write: (warning: ProcessWarning, message: string) => void): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    write({ name: warning.name, ...(warning.code ? { code: warning.code } : {}) }, warning.message);
  });
}

/** `logProcessWarnings`'s writer for a long-running process: a warn line of its JSON log. */
export const warnLineOf =
  (logger: Pick<Logger, 'warn'>) =>
  (warning: ProcessWarning, message: string): void =>
    logger.warn({ warning }, message);
