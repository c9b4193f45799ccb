/**
 * Closed-loop HTTP load from autocannon. Warm-up and measurement are one continuous run (separate runs would leave
 * the warm-up's last requests queued in the service, eating the start of the window); only responses completed
 * inside the window count. Latencies are autocannon's per-response times: its own histogram has no p95.
 */
import autocannon from 'autocannon';
import { sum, summariseLatencies } from '../stats';

interface ClosedLoopOptions {
  baseUrl: string;
  path: string;
  connections: number;
  /** The measured window; the run lasts warmupMs + durationMs. */
  durationMs: number;
  warmupMs?: number;
  /** A fresh body per request (unique texts), or one body for every request; none: GET. */
  body?: () => unknown;
  /** Called when the measured window opens and closes. */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}

export type ClosedLoopResult = Awaited<ReturnType<typeof closedLoop>>;

/** Non-2xx answers, errors and timeouts of the runs, warm-up included. */
export const failedRequests = (runs: readonly ClosedLoopResult[]): number =>
  sum(runs, (run) => run.non2xx + run.errors + run.timeouts);

export async function closedLoop(options: ClosedLoopOptions) {
  const url = new URL(options.path, options.baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmark load targets 127.0.0.1 only, not ${url.hostname}`);
  const { body: makeBody, warmupMs = 0 } = options;
  const method = makeBody ? 'POST' : 'GET';
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errorsInWindow = 0;
  const non2xxByStatus: Record<number, number> = {};
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const open = (): void => {
    windowStart = performance.now();
    options.onWindowStart?.();
  };
  const close = (): void => {
    windowEnd = performance.now();
    options.onWindowEnd?.();
  };
  const started = performance.now();
  const timers = [setTimeout(open, warmupMs), setTimeout(close, warmupMs + options.durationMs)];
  const totals = await new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.toString(),
        connections: options.connections,
        duration: (warmupMs + options.durationMs) / 1000,
        timeout: 30,
        method,
        headers: makeBody ? { 'content-type': 'application/json' } : {},
        requests: makeBody
          ? [{ method, setupRequest: (request) => ({ ...request, body: JSON.stringify(makeBody()) }) }]
          : undefined,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    const inWindow = (now = performance.now()): boolean => now >= windowStart && now <= windowEnd;
    instance.on('reqError', () => void (inWindow() && errorsInWindow++));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (!inWindow()) return;
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      } else {
        non2xx++;
        non2xxByStatus[statusCode] = (non2xxByStatus[statusCode] ?? 0) + 1;
      }
    });
  }).finally(() => timers.forEach(clearTimeout));
  if (!Number.isFinite(windowEnd)) close();
  if (!Number.isFinite(windowStart)) windowStart = started;
  const durationMs = windowEnd - windowStart;
  return {
    /** Successful (2xx) responses per second of the window. */
    requestsPerSecond: (ok / durationMs) * 1000,
    ok,
    non2xx,
    /** The window's non-2xx answers by status code. */
    non2xxByStatus,
    /** Over the whole run, warm-up included (autocannon's counts; errors include timeouts). */
    errors: totals.errors,
    timeouts: totals.timeouts,
    /** Connection errors and timeouts inside the window. */
    errorsInWindow,
    durationMs,
    latencyMs: summariseLatencies(latencies),
  };
}
