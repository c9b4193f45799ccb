/** The service's own inference counters (GET /api/ml/status), to separate model time from everything else. */
import type { HttpClient } from './http-client';

export interface ModelCounters {
  inferences: number;
  texts: number;
  /** Sum of inference times the runner measured (in the worker, or on the main thread). */
  totalMs: number;
  coalesced: number | null;
}

interface MlStatusBody {
  models?: { loaded?: { inferences: number; textsClassified: number; meanInferenceMs: number }[] };
  coalesced?: number;
}

export async function modelCounters(client: HttpClient): Promise<ModelCounters> {
  const response = await client.get<MlStatusBody>('/api/ml/status');
  if (response.status !== 200) throw new Error(`GET /api/ml/status answered ${response.status}`);
  const model = response.body.models?.loaded?.[0];
  return {
    inferences: model?.inferences ?? Number.NaN,
    texts: model?.textsClassified ?? Number.NaN,
    // meanInferenceMs is rounded to 0.01 ms: the reconstructed total is exact enough for window means.
    totalMs: model ? model.meanInferenceMs * model.inferences : Number.NaN,
    coalesced: typeof response.body.coalesced === 'number' ? response.body.coalesced : null,
  };
}

export interface CounterDelta {
  inferences: number;
  texts: number;
  meanInferenceMs: number;
  coalesced: number | null;
}

export function counterDelta(before: ModelCounters, after: ModelCounters): CounterDelta {
  const inferences = after.inferences - before.inferences;
  return {
    inferences,
    texts: after.texts - before.texts,
    meanInferenceMs: inferences > 0 ? (after.totalMs - before.totalMs) / inferences : Number.NaN,
    coalesced: after.coalesced !== null && before.coalesced !== null ? after.coalesced - before.coalesced : null,
  };
}

interface BusyBody {
  semaphore?: { active?: number; waiting?: number };
  models?: { loaded?: { inferences: number }[] };
}

export interface Drain {
  /** How long the service kept working after the load generator had closed its connections. */
  ms: number;
  /** Inferences it ran in that time: requests whose client had already gone. */
  inferences: number;
}

/**
 * Waits until no inference is running or queued. The service does not drop a queued request when its client
 * disconnects, so after a closed-loop run it still works through up to `connections` requests; the next arm
 * (possibly another service on the same cores) must not start before that work is done.
 */
export async function waitUntilIdle(client: HttpClient, timeoutMs = 60_000): Promise<Drain> {
  const started = performance.now();
  let first: number | null = null;
  for (;;) {
    const response = await client.get<BusyBody>('/api/ml/status');
    const inferences = response.body.models?.loaded?.[0]?.inferences ?? 0;
    first ??= inferences;
    const busy = (response.body.semaphore?.active ?? 0) + (response.body.semaphore?.waiting ?? 0);
    if (busy === 0) return { ms: performance.now() - started, inferences: inferences - first };
    if (performance.now() - started > timeoutMs) throw new Error(`service still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
