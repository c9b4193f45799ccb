/**
 * Open-loop probe: one request every 1/rate seconds on a fixed schedule, whether or not earlier ones have
 * answered, so a stalled service shows up as latency instead of as fewer samples (no coordinated omission).
 * Not autocannon: its rate limits send each second's quota in a burst and wait for answers, hiding a stall.
 */
import { summariseLatencies } from '../stats';
import type { HttpClient, JsonResponse } from './http-client';

export type ProbeResult = Awaited<ReturnType<ReturnType<typeof startProbe>>>['result'];

/** Starts the schedule; the returned function stops it and reports every answer, with the samples. */
export function startProbe(client: HttpClient, rate: number, send: (client: HttpClient) => Promise<JsonResponse>) {
  const samples: number[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let errors = 0;
  let timer: NodeJS.Timeout | null = null;
  const startedAt = performance.now();
  const tick = (): void => {
    sent++;
    const request = send(client).then(
      (response) => void (response.status >= 200 && response.status < 300 ? samples.push(response.ms) : errors++),
      () => void errors++,
    );
    pending.add(request);
    void request.finally(() => pending.delete(request));
    // The next slot comes from the schedule, not from now: timer lateness does not lower the rate.
    timer = setTimeout(tick, Math.max(0, startedAt + (sent * 1000) / rate - performance.now()));
  };
  tick();
  return async () => {
    if (timer) clearTimeout(timer);
    await Promise.all([...pending]);
    return { result: { sent, ok: samples.length, errors, latencyMs: summariseLatencies(samples) }, samples };
  };
}
