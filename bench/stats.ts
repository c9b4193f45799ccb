/** Pure statistics for the benchmark: percentiles, medians, spreads of rounds, paired ratios. */

/** Median and range of per-round values (`values` in round order). */
export type Spread = { median: number; min: number; max: number; values: number[] };

export type LatencySummary = ReturnType<typeof summariseLatencies>;

const sortedCopy = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Nearest-rank percentile (p in 0..100), NaN without samples: not interpolated, so a p99 is a latency seen. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = sortedCopy(values);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The middle value; the mean of the two middle values for an even count. NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = sortedCopy(values);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const sum = <T>(items: readonly T[], value: (item: T) => number): number =>
  items.reduce((total, item) => total + value(item), 0);

export const mean = (values: readonly number[]): number =>
  values.length ? sum(values, (value) => value) / values.length : Number.NaN;

export function spread(values: readonly number[]): Spread {
  const [min, max] = values.length ? [Math.min(...values), Math.max(...values)] : [Number.NaN, Number.NaN];
  return { median: median(values), min, max, values: [...values] };
}

export function summariseLatencies(values: readonly number[]) {
  return {
    count: values.length,
    mean: mean(values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    // A loop, not Math.max(...values): a 10-minute soak records more samples than the call stack takes.
    max: values.length ? values.reduce((top, value) => (value > top ? value : top), values[0]) : Number.NaN,
  };
}

/** NaN when either is missing or b is 0: a ratio that cannot be judged must not pass a target. */
export const ratio = (a: number, b: number): number =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;

/** Ratios of two interleaved arms round by round: pairing cancels a shared machine's drift better than two medians. */
export function pairedRatios(a: readonly number[], b: readonly number[]): Spread {
  if (a.length !== b.length) throw new Error(`paired arms differ in rounds: ${a.length} vs ${b.length}`);
  return spread(a.map((value, index) => ratio(value, b[index])));
}

export const pairedBy = <R>(a: readonly R[], b: readonly R[], value: (round: R) => number): Spread =>
  pairedRatios(a.map(value), b.map(value));

export const growthPercent = (from: number, to: number): number => ratio(to - from, from) * 100;

/** Arms alternated per round (ABC, CBA, …): none always runs first, after another's load, or last, when warmest. */
export const interleavedOrder = <T>(arms: readonly T[], rounds: number): T[][] =>
  Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? [...arms] : [...arms].reverse()));
