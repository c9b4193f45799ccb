/** What a fuzz run saw, per route: how many cases, which answers, how slow; and which rules broke how often. */
export interface RouteSummary {
  cases: number;
  /** `status code` (the error code when the body had one) → count. */
  statuses: Record<string, number>;
  maxMs: number;
}

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

export class FuzzStats {
  private readonly routes = new Map<string, RouteSummary>();
  /** `rule @ route` → how many answers broke it (shown or not). */
  private readonly broken = new Map<string, number>();
  cases = 0;
  transportErrors = 0;
  peakRssBytes = 0;

  record(route: string, status: number, code: string | undefined, elapsedMs: number): void {
    this.cases++;
    const summary = this.routes.get(route) ?? { cases: 0, statuses: {}, maxMs: 0 };
    summary.cases++;
    const key = code ? `${status} ${code}` : String(status);
    summary.statuses[key] = (summary.statuses[key] ?? 0) + 1;
    summary.maxMs = Math.max(summary.maxMs, elapsedMs);
    this.routes.set(route, summary);
    // Sampled: memoryUsage() walks the heap spaces, too costly for every request of a long run.
    if (this.cases % 50 === 1) this.sampleMemory();
  }

  recordViolation(rule: string, route: string): void {
    const key = `${rule} @ ${route}`;
    this.broken.set(key, (this.broken.get(key) ?? 0) + 1);
  }

  sampleMemory(): MemorySample {
    const { rss, heapUsed } = process.memoryUsage();
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
    return { rssBytes: rss, heapUsedBytes: heapUsed };
  }

  routeSummaries(): Record<string, RouteSummary> {
    return Object.fromEntries([...this.routes.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  violationCounts(): Record<string, number> {
    return Object.fromEntries([...this.broken.entries()].sort(([, a], [, b]) => b - a));
  }
}
