import { BenchContext } from './context';
import { planFor } from './plan';
import {
  growthPercent,
  interleavedOrder,
  median,
  pairedBy,
  pairedRatios,
  percentile,
  ratio,
  spread,
  summariseLatencies,
} from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns a value that occurred, at the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
  });

  it('sorts a copy and leaves the input alone', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 100)).toBe(5);
    expect(percentile(values, 20)).toBe(1);
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('is NaN without samples and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('median, spread, summaries', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('reports median and min–max of rounds in round order', () => {
    expect(spread([12, 10, 11])).toEqual({ median: 11, min: 10, max: 12, values: [12, 10, 11] });
  });

  it('summarises latencies', () => {
    const summary = summariseLatencies([1, 2, 3, 4, 100]);
    expect(summary).toMatchObject({ count: 5, mean: 22, p50: 3, p95: 100, p99: 100, max: 100 });
  });

  it('summarises more samples than a call takes as arguments (a 10-minute soak)', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(summariseLatencies(values)).toMatchObject({ count: 300_000, max: 999 });
  });
});

describe('ratios', () => {
  it('is NaN when a ratio cannot be judged', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });

  it('pairs interleaved rounds before taking the median', () => {
    // The machine slows down in round 3; per-round pairing still sees a steady 2×.
    const paired = pairedRatios([100, 100, 50], [50, 50, 25]);
    expect(paired.median).toBe(2);
    expect(paired.min).toBe(2);
    expect(paired.max).toBe(2);
    expect(() => pairedRatios([1, 2], [1])).toThrow();
    expect(pairedBy([{ rps: 100 }, { rps: 50 }], [{ rps: 50 }, { rps: 25 }], (r) => r.rps).values).toEqual([2, 2]);
  });

  it('computes growth in percent', () => {
    expect(growthPercent(200, 210)).toBeCloseTo(5);
    expect(growthPercent(200, 190)).toBeCloseTo(-5);
    expect(growthPercent(0, 10)).toBeNaN();
  });
});

describe('interleavedOrder', () => {
  it('alternates the arms so none always runs first', () => {
    expect(interleavedOrder(['a', 'b', 'c'], 3)).toEqual([
      ['a', 'b', 'c'],
      ['c', 'b', 'a'],
      ['a', 'b', 'c'],
    ]);
    expect(interleavedOrder(['a', 'b'], 4).map((round) => round[0])).toEqual(['a', 'b', 'a', 'b']);
  });

  it('is the order BenchContext.interleave runs, which hands back each arm’s results in round order', async () => {
    const ctx = new BenchContext(planFor('quick'), () => undefined);
    const calls: string[] = [];
    const { order, rounds } = await ctx.interleave(['a', 'b'] as const, (arm, round) => {
      calls.push(`${arm}${round}`);
      return Promise.resolve(`${arm}${round}`);
    });
    expect(order).toEqual([
      ['a', 'b'],
      ['b', 'a'],
      ['a', 'b'],
    ]);
    expect(calls).toEqual(['a1', 'b1', 'b2', 'a2', 'a3', 'b3']);
    expect(rounds).toEqual({ a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'] });
  });
});
