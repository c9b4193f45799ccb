/** The targets as data, and their evaluation: NaN fails (an unjudgeable ratio must not pass); not run is N/A. */
import type { ScenarioName } from './plan';

export type Comparator = '>=' | '<=' | '==';

export interface TargetSpec {
  id: string;
  scenario: ScenarioName;
  description: string;
  comparator: Comparator;
  threshold: number;
  unit: string;
}

export interface TargetResult extends TargetSpec {
  /** The judged value (for several values, the worst one); null when not run. */
  measured: number | null;
  status: 'PASS' | 'FAIL' | 'N/A';
  note?: string;
}

/** [scenario, description, comparator, threshold, unit]: one row per target, keyed by what it checks. */
type TargetRow = readonly [ScenarioName, string, Comparator, number, string?];

const ROWS = {
  serviceShareOfCeiling: ['service-vs-ceiling', 'service throughput ÷ ceiling, int8 heavy model', '>=', 0.85, '×'],
  throughputVsSeed: ['service-vs-ceiling', 'throughput, service ÷ seed design', '>=', 1.5, '×'],
  p95VsSeed: ['service-vs-ceiling', 'p95 latency, service ÷ seed design', '<=', 0.5, '×'],
  cachedP99UnderLoad: ['service-vs-ceiling', 'p99 of a cached classify while the service is saturated', '<=', 20, 'ms'],
  liveP99UnderLoad: ['service-vs-ceiling', 'p99 of /api/health/live while the service is saturated', '<=', 20, 'ms'],
  identicalBurstInferences: ['coalescing', 'inferences per 50 identical uncached texts at once', '==', 1],
  pacedTurnP95: ['conversations', 'turn p95 at 100 paced participants, shipped model', '<=', 100, 'ms'],
  conversationErrors: ['conversations', 'conversation errors at every level (paced and without think time)', '==', 0],
  conversationsNotStored: ['conversations', 'finished conversations missing or incomplete in PostgreSQL', '==', 0],
  heavyRssAfterSoak: ['memory-soak', 'RSS after the soak, int8 heavy model, 2 workers', '<=', 700, 'MiB'],
  shippedRssAfterSoak: ['memory-soak', 'RSS after the soak, shipped model', '<=', 300, 'MiB'],
  heavyRssGrowth: ['memory-soak', 'RSS growth from minute 2 to the end, heavy model', '<=', 5, '%'],
  shippedRssGrowth: ['memory-soak', 'RSS growth from minute 2 to the end, shipped model', '<=', 5, '%'],
  originalMeanAt30: ['processes', 'original load test, mean at 30 connections, API_PROCESSES=cores', '<=', 50, 'ms'],
  originalMeanAt100: ['processes', 'original load test, mean at 100 connections, API_PROCESSES=cores', '<=', 150, 'ms'],
  clusterTurnsGain: ['processes', 'turns/s at 100 participants, no think time, cores ÷ 1 process', '>=', 1.8, '×'],
  twoProcessRss: ['processes', 'resident memory of the service at API_PROCESSES=2 after the load', '<=', 450, 'MB'],
  consolePanelP95: ['console-panels', 'p95 of every console panel endpoint, 100,000 conversations', '<=', 200, 'ms'],
} as const satisfies Record<string, TargetRow>;

/** The targets by name; each id is its name in kebab case (`p95VsSeed` → `p95-vs-seed`). */
export const TARGETS = Object.fromEntries(
  Object.entries(ROWS).map(([name, [scenario, description, comparator, threshold, unit = '']]: [string, TargetRow]) => {
    const id = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    return [name, { id, scenario, description, comparator, threshold, unit }];
  }),
) as Record<keyof typeof ROWS, TargetSpec>;

export const meets = (value: number, comparator: Comparator, threshold: number): boolean =>
  Number.isFinite(value) &&
  (comparator === '>=' ? value >= threshold : comparator === '<=' ? value <= threshold : value === threshold);

/** The value that decides: for >= the smallest, for <= the largest, for == the first that differs. */
function worst(values: readonly number[], { comparator, threshold }: TargetSpec): number {
  if (values.some((value) => !Number.isFinite(value))) return Number.NaN;
  if (comparator === '==') return values.find((value) => value !== threshold) ?? threshold;
  return comparator === '>=' ? Math.min(...values) : Math.max(...values);
}

/** Judges one value, or several (every one must meet the target); null or [] means the scenario did not run. */
export function evaluateTarget(
  spec: TargetSpec,
  measured: number | readonly number[] | null,
  note?: string,
): TargetResult {
  const values = measured === null ? [] : typeof measured === 'number' ? [measured] : measured;
  const extra = note ? { note } : {};
  if (values.length === 0) return { ...spec, measured: null, status: 'N/A', ...extra };
  const decisive = worst(values, spec);
  const status = meets(decisive, spec.comparator, spec.threshold) ? 'PASS' : 'FAIL';
  return { ...spec, measured: decisive, status, ...extra };
}

/** Every target in TARGETS order: the judged ones as judged, the others N/A (their scenario did not run). */
export const allTargets = (judged: readonly TargetResult[]): TargetResult[] =>
  Object.values(TARGETS).map((spec) => judged.find((result) => result.id === spec.id) ?? evaluateTarget(spec, null));

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(2);
}

/** One markdown line: `- **PASS** throughput, service ÷ seed design: 1.62× (target >= 1.5×) — note`. */
export function formatTarget(result: TargetResult): string {
  const measured = result.measured === null ? 'not run' : `${formatNumber(result.measured)}${result.unit}`;
  const note = result.note ? ` — ${result.note}` : '';
  return `- **${result.status}** ${result.description}: ${measured} (target ${result.comparator} ${formatNumber(result.threshold)}${result.unit})${note}`;
}
