/** Scenario names, durations and sizes per mode (quick: ~6 min on two cores; full: ~32 min, with enough samples). */
import type { Scenario } from './context';
import { cachePath } from './scenarios/cache-path';
import { ceiling } from './scenarios/ceiling';
import { coalescing } from './scenarios/coalescing';
import { consolePanels } from './scenarios/console-panels';
import { conversations } from './scenarios/conversations';
import { memorySoak } from './scenarios/memory-soak';
import { processes } from './scenarios/processes';
import { serviceVsCeiling } from './scenarios/service-vs-ceiling';
import { tuning } from './scenarios/tuning';

type Mode = 'quick' | 'full';

/** In the order they run: the ceiling first, so the comparison with the service can use its best setting. */
export const SCENARIOS = {
  ceiling,
  'service-vs-ceiling': serviceVsCeiling,
  tuning,
  coalescing,
  'cache-path': cachePath,
  conversations,
  processes,
  'memory-soak': memorySoak,
  'console-panels': consolePanels,
} satisfies Record<string, Scenario>;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
/** --quick leaves tuning out (it starts five more heavy services); --only brings it in. */
export const QUICK_SCENARIOS: readonly ScenarioName[] = SCENARIO_NAMES.filter((name) => name !== 'tuning');

/** Far quicker than a person reads and types: paced levels still load the service harder than a real study. */
const PACED_THINK_MS = { min: 500, max: 2_000 };

export type ConversationLevelPlan = { participants: number; thinkMs: { min: number; max: number } | null };

const paced = (participants: number): ConversationLevelPlan => ({ participants, thinkMs: PACED_THINK_MS });
const stress = (participants: number): ConversationLevelPlan => ({ participants, thinkMs: null });

export type Plan = ReturnType<typeof planFor>;
export type CeilingGrid = Plan['ceiling']['int8'];

export function planFor(mode: Mode) {
  if (mode === 'quick') {
    return {
      mode,
      rounds: 3,
      ceiling: {
        int8: { workers: [1, 2], batches: [1, 8], groupedBatches: [2] },
        fp32: { workers: [1, 2], batches: [1], groupedBatches: [] as number[] },
        warmupMs: 300,
        durationMs: 1_000,
      },
      service: { connections: 50, warmupMs: 700, durationMs: 2_500, probeRatePerSecond: 25 },
      coalescing: { simultaneous: 50 },
      cache: { connections: 100, warmupMs: 1_000, durationMs: 2_000 },
      conversations: { levels: [paced(100), stress(10), stress(50)], warmupMs: 2_000, durationMs: 4_000 },
      // The full soak's baseline is minute 2 of 10 (20 %); quick keeps the fraction (10 s of 60 s, 10-s samples).
      soak: { durationMs: 60_000, sampleEveryMs: 10_000, baselineAtMs: 10_000, connections: 50, participants: 50 },
      processes: { connections: [30, 100], warmupMs: 1_000, durationMs: 2_500, participants: 100 },
      console: { conversations: 100_000, rounds: 10 },
    };
  }
  return {
    mode,
    /** Interleaved rounds of every comparison. */
    rounds: 3,
    /** `groupedBatches`: batch sizes also measured with length-grouped batches (what ML_MICRO_BATCH_* can form). */
    ceiling: {
      int8: { workers: [1, 2], batches: [1, 2, 4, 8], groupedBatches: [2, 4, 8] },
      fp32: { workers: [1, 2], batches: [1, 2, 4, 8], groupedBatches: [4, 8] },
      warmupMs: 1_000,
      durationMs: 5_000,
    },
    service: { connections: 50, warmupMs: 3_000, durationMs: 15_000, probeRatePerSecond: 20 },
    coalescing: { simultaneous: 50 },
    cache: { connections: 100, warmupMs: 2_000, durationMs: 8_000 },
    /** Paced levels (think time) carry the target; levels without think time are the stress test. */
    conversations: {
      levels: [paced(10), paced(50), paced(100), stress(10), stress(50), stress(100)],
      warmupMs: 3_000,
      durationMs: 20_000,
    },
    soak: { durationMs: 600_000, sampleEveryMs: 10_000, baselineAtMs: 120_000, connections: 50, participants: 50 },
    /** Closed loops of the original load test at each connection count; conversations use `conversations`' windows. */
    processes: { connections: [30, 100], warmupMs: 2_000, durationMs: 10_000, participants: 100 },
    /** Rounds of calls to every panel endpoint over a seeded study of `conversations`. */
    console: { conversations: 100_000, rounds: 40 },
  };
}
