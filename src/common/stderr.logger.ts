import { ConsoleLogger, type ConsoleLoggerOptions, LogLevel } from '@nestjs/common';
import type { Env } from '../config/env.schema';
import { terminalColors } from '../config/terminal-colors';

/**
 * Nest's console logger for commands (the CLI, the migration run): every level on stderr, since a command's stdout
 * is its data (a CSV redirected to a file) and Nest writes warnings to stdout; coloured only for a terminal
 * (Nest colours unless NO_COLOR is set, which puts escape codes into log files and container logs).
 */
export class StderrLogger extends ConsoleLogger {
  constructor(options: ConsoleLoggerOptions = {}) {
    super({ colors: terminalColors(process.stderr), ...options });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

/** Nest's levels, most severe first, each beside the pino level (LOG_LEVEL) it corresponds to. */
const NEST_LEVELS: readonly [LogLevel, Env['LOG_LEVEL']][] = [
  ['fatal', 'fatal'],
  ['error', 'error'],
  ['warn', 'warn'],
  ['log', 'info'],
  ['debug', 'debug'],
  ['verbose', 'trace'],
];

/** The Nest levels a command logs at LOG_LEVEL: that level and the more severe ones, as pino does; none when silent. */
export function nestLogLevels(level: Env['LOG_LEVEL']): LogLevel[] {
  const upTo = NEST_LEVELS.findIndex(([, pino]) => pino === level);
  return upTo < 0 ? [] : NEST_LEVELS.slice(0, upTo + 1).map(([nest]) => nest);
}
