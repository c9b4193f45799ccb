import { ConsoleLogger, type ConsoleLoggerOptions, LogLevel } from '@nestjs/common';
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
