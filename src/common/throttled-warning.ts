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

/** An error's own words for a log line (never for a client). */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
