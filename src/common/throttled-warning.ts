import type { Logger } from '@nestjs/common';

/**
 * A warning logged at most once per interval: a dependency that is down fails every request, and one line per
 * request would drown the log while saying nothing new. Suppressed repeats are counted into the next line.
 */
export class ThrottledWarning {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs = 10_000,
  ) {}

  warn(message: string): void {
    const now = Date.now();
    if (now - this.lastAt < this.everyMs) {
      this.suppressed++;
      return;
    }
    const repeats = this.suppressed > 0 ? ` (${this.suppressed} more since the last report)` : '';
    this.lastAt = now;
    this.suppressed = 0;
    this.logger.warn(`${message}${repeats}`);
  }
}

/**
 * An error's own words for a log line (never for a client). Node's dual-stack connect (`localhost` is ::1 and
 * 127.0.0.1) fails with an AggregateError that has no message of its own, only one per address: those are joined.
 */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(reasonOf).join('; ');
  return error instanceof Error ? error.message : String(error);
}
