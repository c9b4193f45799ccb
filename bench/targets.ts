/**
 * Issue 6's targets as data, and their evaluation. A value that could not be measured (NaN) fails: a ratio that
 * cannot be judged must not pass. A target whose scenario did not run (e.g. --only picked others) is N/A.
 */

export type Comparator = '>=' | '<=' | '==';
export type TargetStatus = 'PASS' | 'FAIL' | 'N/A';

export interface TargetSpec {
  id: string;
  scenario: number;
  description: string;
  comparator: Comparator;
  threshold: number;
  unit: string;
}

export interface TargetResult extends TargetSpec {
  /** The judged value (for several values, the worst one); null when not run. */
  measured: number | null;
  status: TargetStatus;
  note?: string;
}

export const TARGETS = {
  ceilingRatio: {
    id: 'ceiling-ratio',
    scenario: 2,
    description: '(2)/(1) service throughput ÷ standalone ceiling, int8 heavy model',
    comparator: '>=',
    threshold: 0.85,
    unit: '×',
  },
  seedThroughput: {
    id: 'seed-throughput',
    scenario: 3,
    description: '(2) vs (3) throughput, service ÷ seed design',
    comparator: '>=',
    threshold: 1.5,
    unit: '×',
  },
  seedP95: {
    id: 'seed-p95',
    scenario: 3,
    description: '(2) vs (3) p95 latency, service ÷ seed design',
    comparator: '<=',
    threshold: 0.5,
    unit: '×',
  },
  cachedP99: {
    id: 'responsive-cached-p99',
    scenario: 4,
    description: '(4) p99 of a cached classify while (2) saturates',
    comparator: '<=',
    threshold: 20,
    unit: 'ms',
  },
  liveP99: {
    id: 'responsive-live-p99',
    scenario: 4,
    description: '(4) p99 of /api/health/live while (2) saturates',
    comparator: '<=',
    threshold: 20,
    unit: 'ms',
  },
  coalescing: {
    id: 'coalescing',
    scenario: 5,
    description: '(5) inferences for 50 simultaneous identical uncached texts (every round)',
    comparator: '==',
    threshold: 1,
    unit: '',
  },
  conversationP95: {
    id: 'conversation-p95',
    scenario: 7,
    description: '(7) turn p95 at 100 paced participants, shipped model',
    comparator: '<=',
    threshold: 100,
    unit: 'ms',
  },
  conversationErrors: {
    id: 'conversation-errors',
    scenario: 7,
    description: '(7) errors at every level (paced and without think time)',
    comparator: '==',
    threshold: 0,
    unit: '',
  },
  conversationRows: {
    id: 'conversation-rows',
    scenario: 7,
    description: '(7) completed conversations missing or incomplete in PostgreSQL (all levels)',
    comparator: '==',
    threshold: 0,
    unit: '',
  },
  soakHeavyRss: {
    id: 'soak-rss-heavy',
    scenario: 8,
    description: '(8) RSS at the end, int8 heavy model, 2 workers',
    comparator: '<=',
    threshold: 700,
    unit: 'MiB',
  },
  soakShippedRss: {
    id: 'soak-rss-shipped',
    scenario: 8,
    description: '(8) RSS at the end, shipped model',
    comparator: '<=',
    threshold: 300,
    unit: 'MiB',
  },
  soakHeavyGrowth: {
    id: 'soak-growth-heavy',
    scenario: 8,
    description: '(8) RSS growth from minute 2 to the end, heavy model',
    comparator: '<=',
    threshold: 5,
    unit: '%',
  },
  soakShippedGrowth: {
    id: 'soak-growth-shipped',
    scenario: 8,
    description: '(8) RSS growth from minute 2 to the end, shipped model',
    comparator: '<=',
    threshold: 5,
    unit: '%',
  },
} as const satisfies Record<string, TargetSpec>;

export function meets(value: number, comparator: Comparator, threshold: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (comparator) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
  }
}

/** The value that decides: for >= the smallest, for <= the largest, for == the first that differs. */
function worst(values: readonly number[], spec: TargetSpec): number {
  if (values.some((value) => !Number.isFinite(value))) return Number.NaN;
  switch (spec.comparator) {
    case '>=':
      return Math.min(...values);
    case '<=':
      return Math.max(...values);
    case '==':
      return values.find((value) => value !== spec.threshold) ?? spec.threshold;
  }
}

/** Judges one value, or several (every one must meet the target); null or [] means the scenario did not run. */
export function evaluateTarget(
  spec: TargetSpec,
  measured: number | readonly number[] | null,
  note?: string,
): TargetResult {
  const values = measured === null ? [] : typeof measured === 'number' ? [measured] : measured;
  if (values.length === 0) return { ...spec, measured: null, status: 'N/A', ...(note ? { note } : {}) };
  const decisive = worst(values, spec);
  return {
    ...spec,
    measured: decisive,
    status: meets(decisive, spec.comparator, spec.threshold) ? 'PASS' : 'FAIL',
    ...(note ? { note } : {}),
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(2);
}

/** One markdown line: `- PASS (3) … : 1.62× (target ≥ 1.5×)`. */
export function formatTarget(result: TargetResult): string {
  const measured = result.measured === null ? 'not run' : `${formatNumber(result.measured)}${result.unit}`;
  const note = result.note ? ` — ${result.note}` : '';
  return `- **${result.status}** ${result.description}: ${measured} (target ${result.comparator} ${formatNumber(result.threshold)}${result.unit})${note}`;
}
