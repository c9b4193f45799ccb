/**
 * Durations and sizes per mode. --quick keeps every scenario but tuning and shortens windows so the whole run
 * fits in under 3 minutes on the 2-core machine; full (~25 min) gives percentiles and the soak enough samples.
 */
import type { CeilingGrid } from './scenarios/ceiling';

export type Mode = 'quick' | 'full';

export const SCENARIOS = ['ceiling', 'service', 'tuning', 'coalescing', 'cache', 'conversations', 'soak'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** --quick leaves tuning out (it starts five more heavy services) to stay under 3 minutes; --only brings it in. */
export const QUICK_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((name) => name !== 'tuning');

/**
 * A participant's think time before each message: 0.5–2 s, far quicker than a person reading a reply and
 * typing (tens of seconds), so paced levels still load the service several times harder than a real study.
 */
export const PACED_THINK_MS = { min: 500, max: 2_000 } as const;

export interface ConversationLevelPlan {
  participants: number;
  thinkMs: { min: number; max: number } | null;
}

const paced = (participants: number): ConversationLevelPlan => ({ participants, thinkMs: PACED_THINK_MS });
const stress = (participants: number): ConversationLevelPlan => ({ participants, thinkMs: null });

export interface Plan {
  mode: Mode;
  rounds: number;
  ceiling: {
    int8: CeilingGrid;
    fp32: CeilingGrid;
    warmupMs: number;
    durationMs: number;
  };
  service: { connections: number; warmupMs: number; durationMs: number; probeRatePerSecond: number };
  coalescing: { simultaneous: number };
  cache: { connections: number; warmupMs: number; durationMs: number };
  /** Paced levels (think time) carry the target; levels without think time are the stress test. */
  conversations: { levels: ConversationLevelPlan[]; warmupMs: number; durationMs: number };
  soak: { durationMs: number; sampleEveryMs: number; baselineAtMs: number; connections: number; participants: number };
}

export function planFor(mode: Mode): Plan {
  if (mode === 'quick') {
    return {
      mode,
      rounds: 3,
      ceiling: {
        int8: { workers: [1, 2], batches: [1, 8], groupedBatches: [2] },
        fp32: { workers: [1, 2], batches: [1], groupedBatches: [] },
        warmupMs: 300,
        durationMs: 1_000,
      },
      service: { connections: 50, warmupMs: 700, durationMs: 2_500, probeRatePerSecond: 25 },
      coalescing: { simultaneous: 50 },
      cache: { connections: 100, warmupMs: 1_000, durationMs: 2_000 },
      conversations: { levels: [paced(100), stress(10), stress(50)], warmupMs: 2_000, durationMs: 4_000 },
      // Minute 2 of 10 is 20 % into the soak; quick keeps the fraction (12 s of 60 s, sampled at 10 s steps).
      soak: { durationMs: 60_000, sampleEveryMs: 10_000, baselineAtMs: 10_000, connections: 50, participants: 50 },
    };
  }
  return {
    mode,
    rounds: 3,
    ceiling: {
      int8: { workers: [1, 2], batches: [1, 2, 4, 8], groupedBatches: [2, 4, 8] },
      fp32: { workers: [1, 2], batches: [1, 2, 4, 8], groupedBatches: [4, 8] },
      warmupMs: 1_000,
      durationMs: 5_000,
    },
    service: { connections: 50, warmupMs: 3_000, durationMs: 15_000, probeRatePerSecond: 20 },
    coalescing: { simultaneous: 50 },
    cache: { connections: 100, warmupMs: 2_000, durationMs: 8_000 },
    conversations: {
      levels: [paced(10), paced(50), paced(100), stress(10), stress(50), stress(100)],
      warmupMs: 3_000,
      durationMs: 20_000,
    },
    soak: { durationMs: 600_000, sampleEveryMs: 10_000, baselineAtMs: 120_000, connections: 50, participants: 50 },
  };
}
