import { ConsoleLogger, LogLevel } from '@nestjs/common';

/**
 * Nest's console logger with every level on stderr: a command's stdout is its data (a CSV redirected to a file),
 * and Nest writes warnings to stdout.
 */
export class StderrLogger extends ConsoleLogger {
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
