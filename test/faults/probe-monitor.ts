import { parseJson, responseProblems } from './response-hygiene';

/**
 * The probes the suite polls; `health-admin` is `/api/health` with the admin key (the operator's detailed view).
 * The last two are polled only by the phases that ask for them: the queue dashboard's JSON API (as its open page
 * refreshes it) and a job lookup (a job nobody added: 404 QUEUE.JOB_NOT_FOUND while Redis answers).
 */
export const PROBES = {
  live: { path: '/api/health/live', admin: false },
  ready: { path: '/api/health/ready', admin: false },
  health: { path: '/api/health', admin: false },
  'health-admin': { path: '/api/health', admin: true },
  dashboard: { path: '/api/admin/queues/api/queues', admin: true },
  'job-lookup': { path: '/api/jobs/ml/fault-probe', admin: false },
} as const;
export type ProbeName = keyof typeof PROBES;

/** What every phase polls. */
export const HEALTH_PROBES: readonly ProbeName[] = ['live', 'ready', 'health', 'health-admin'];

export interface ProbeRecord {
  probe: ProbeName;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or null when no answer came (connection refused, or no answer within the timeout). */
  status: number | null;
  failure: 'connection-error' | 'timeout' | null;
  body: unknown;
  text: string;
  problems: string[];
}

const PROBE_TIMEOUT_MS = 10_000;
const INTERVAL_MS = 250;

/**
 * Polls the probes, each in its own loop (a slow readiness answer must not delay the liveness samples): by default
 * the three an orchestrator or outsider sees without the admin key, and the detailed report an operator reads with it.
 */
export class ProbeMonitor {
  readonly records: ProbeRecord[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly adminKey: string,
    private readonly names: readonly ProbeName[] = HEALTH_PROBES,
  ) {}

  start(): void {
    this.loops = this.names.map((name) => this.poll(name));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async poll(name: ProbeName): Promise<void> {
    while (!this.stopped) {
      this.records.push(await probe(this.baseUrl, name, this.adminKey));
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  }
}

export async function probe(baseUrl: string, name: ProbeName, adminKey: string): Promise<ProbeRecord> {
  const { path, admin } = PROBES[name];
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: admin ? { 'X-Api-Key': adminKey } : {},
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const text = await response.text();
    return {
      probe: name,
      startedAt,
      endedAt: Date.now(),
      status: response.status,
      failure: null,
      body: parseJson(text),
      text: text.slice(0, 2000),
      // The operator's view may name causes (driver text, addresses): only its status line is judged.
      problems: responseProblems(response.status, response.headers.get('retry-after'), text, { leaks: !admin }),
    };
  } catch (error) {
    const errorName = error instanceof Error ? error.name : '';
    return {
      probe: name,
      startedAt,
      endedAt: Date.now(),
      status: null,
      failure: errorName === 'TimeoutError' || errorName === 'AbortError' ? 'timeout' : 'connection-error',
      body: undefined,
      text: '',
      problems: [],
    };
  }
}

/** The parts an `/api/health` body reports down: Terminus's `error` keys and any `details` entry marked down. */
export function downParts(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  const down = new Set<string>(Object.keys((record.error as object | undefined) ?? {}));
  for (const [name, part] of Object.entries((record.details as Record<string, unknown> | undefined) ?? {})) {
    if ((part as { status?: unknown } | null)?.status === 'down') down.add(name);
  }
  return [...down].sort();
}

/**
 * The LLM circuit breaker's state in the operator's `/api/health` report: `details.llm.circuit` (also accepted
 * as `breaker` or `state`). Null when the body names none.
 */
export function llmBreakerState(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const llm = ((body as Record<string, unknown>).details as Record<string, unknown> | undefined)?.llm as
    Record<string, unknown> | undefined;
  const state = llm?.circuit ?? llm?.breaker ?? llm?.state;
  return typeof state === 'string' ? state : null;
}
