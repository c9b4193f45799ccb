/** The service's own inference counters (GET /api/ml/status), to separate model time from everything else. */
import type { HttpClient } from './http-client';

interface MlStatusBody {
  models?: { loaded?: { inferences: number; textsClassified: number; meanInferenceMs: number }[] };
  semaphore?: { active?: number; waiting?: number };
  coalesced?: number;
}

type ModelCounters = Awaited<ReturnType<typeof modelCounters>>;

export async function modelCounters(client: HttpClient) {
  const response = await client.get<MlStatusBody>('/api/ml/status');
  if (response.status !== 200) throw new Error(`GET /api/ml/status answered ${response.status}`);
  const model = response.body.models?.loaded?.[0];
  return {
    inferences: model?.inferences ?? Number.NaN,
    texts: model?.textsClassified ?? Number.NaN,
    // Σ inference times the runner measured; meanInferenceMs is rounded to 0.01 ms, exact enough for window means.
    totalMs: model ? model.meanInferenceMs * model.inferences : Number.NaN,
    coalesced: typeof response.body.coalesced === 'number' ? response.body.coalesced : null,
  };
}

export function counterDelta(before: ModelCounters, after: ModelCounters) {
  const inferences = after.inferences - before.inferences;
  return {
    inferences,
    texts: after.texts - before.texts,
    meanInferenceMs: inferences > 0 ? (after.totalMs - before.totalMs) / inferences : Number.NaN,
    coalesced: after.coalesced !== null && before.coalesced !== null ? after.coalesced - before.coalesced : null,
  };
}

/** Waits until no inference runs or waits (clients gone): the next arm must not start before; how long, how many. */
export async function waitUntilIdle(client: HttpClient, timeoutMs = 60_000) {
  const started = performance.now();
  let first: number | null = null;
  for (;;) {
    const { body } = await client.get<MlStatusBody>('/api/ml/status');
    const inferences = body.models?.loaded?.[0]?.inferences ?? 0;
    first ??= inferences;
    if ((body.semaphore?.active ?? 0) + (body.semaphore?.waiting ?? 0) === 0)
      return { ms: performance.now() - started, inferences: inferences - first };
    if (performance.now() - started > timeoutMs) throw new Error(`service still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
