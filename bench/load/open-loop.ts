/**
 * Open-loop probe: one request every 1/rate seconds on a fixed schedule, whether or not earlier ones have
 * answered, so a stalled service shows up as latency instead of as fewer samples (no coordinated omission).
 */
import { summariseLatencies, type LatencySummary } from '../stats';
import type { HttpClient, JsonResponse } from './http-client';

export interface ProbeResult {
  sent: number;
  ok: number;
  errors: number;
  latencyMs: LatencySummary;
}

export class OpenLoopProbe {
  private readonly latencies: number[] = [];
  private readonly pending = new Set<Promise<void>>();
  private sent = 0;
  private ok = 0;
  private errors = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: HttpClient,
    private readonly ratePerSecond: number,
    private readonly send: (client: HttpClient) => Promise<JsonResponse>,
  ) {}

  start(): this {
    const periodMs = 1000 / this.ratePerSecond;
    const startedAt = performance.now();
    const tick = (): void => {
      if (this.stopped) return;
      this.fire();
      // Next slot from the schedule, not from now: timer lateness does not lower the rate.
      const next = startedAt + this.sent * periodMs;
      this.timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
    return this;
  }

  private fire(): void {
    this.sent++;
    const request = this.send(this.client).then(
      (response) => {
        if (response.status >= 200 && response.status < 300) {
          this.ok++;
          this.latencies.push(response.ms);
        } else {
          this.errors++;
        }
      },
      () => void this.errors++,
    );
    this.pending.add(request);
    void request.finally(() => this.pending.delete(request));
  }

  async stop(): Promise<ProbeResult> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.pending]);
    return { sent: this.sent, ok: this.ok, errors: this.errors, latencyMs: summariseLatencies(this.latencies) };
  }
}
