/**
 * (1) Ceiling: the heavy model's raw throughput in this process's worker threads (no HTTP, Redis, semaphore or
 * per-request message hop), swept over worker count × batch size per dtype. Batches are padded to their longest
 * text, as the service pads. The int8 pool stays loaded for (2)'s interleaved rounds.
 */
import { CeilingPool, type CeilingMeasurement } from '../ceiling/ceiling-pool';
import type { BenchContext } from '../context';
import { HEAVY_MODELS_DIR } from '../context';
import { MODEL_IDS } from '../../tools/model/distilbert/model-ids';
import { round } from '../stats';

export const MAX_TOKENS = 128; // the service's ML_MAX_TOKENS default: the same truncation on both sides
const TEXTS_PER_SWEEP = 400;

export interface CeilingConfig {
  workers: number;
  batch: number;
  grouped: boolean;
}

export interface CeilingGrid {
  workers: number[];
  batches: number[];
  /** Batch sizes also measured with length-grouped batches (what ML_MICRO_BATCH_* can form). */
  groupedBatches: number[];
}

export interface CeilingResult {
  int8: DtypeSweep;
  fp32: DtypeSweep | null;
}

export interface DtypeSweep {
  modelId: string;
  loadMs: number;
  grid: CeilingMeasurement[];
  best: CeilingMeasurement;
}

export async function startCeilingPool(dtype: 'int8' | 'fp32', workers: number): Promise<CeilingPool> {
  return CeilingPool.start({ modelsDir: HEAVY_MODELS_DIR, modelId: MODEL_IDS[dtype], maxTokens: MAX_TOKENS }, workers);
}

async function sweep(ctx: BenchContext, pool: CeilingPool, grid: CeilingGrid): Promise<DtypeSweep> {
  const texts = Array.from({ length: TEXTS_PER_SWEEP }, () => ctx.corpus.nextUnique().text);
  const results: CeilingMeasurement[] = [];
  const variants = [
    ...grid.batches.map((batch) => ({ batch, grouped: false })),
    ...grid.groupedBatches.map((batch) => ({ batch, grouped: true })),
  ];
  for (const workers of grid.workers) {
    for (const { batch, grouped } of variants) {
      const measurement = await pool.measure(
        workers,
        batch,
        ctx.plan.ceiling.warmupMs,
        ctx.plan.ceiling.durationMs,
        texts,
        grouped,
      );
      results.push(measurement);
      ctx.log(
        `    ${pool.modelId} workers ${workers} batch ${batch}${grouped ? ' grouped' : ''}: ${round(measurement.textsPerSecond, 1)} texts/s ` +
          `(batch p50 ${round(measurement.batchP50Ms, 1)} ms, mean padded length ${round(measurement.meanSequenceLength, 1)})`,
      );
    }
  }
  const best = results.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  return { modelId: pool.modelId, loadMs: pool.loadMs, grid: results, best };
}

/** Sweeps fp32 then int8; returns the int8 pool still loaded for the interleaved rounds of (2). */
export async function runCeiling(ctx: BenchContext): Promise<{ result: CeilingResult; int8Pool: CeilingPool }> {
  const { int8, fp32 } = ctx.plan.ceiling;
  let fp32Sweep: DtypeSweep | null = null;
  if (fp32.workers.length > 0) {
    const pool = await startCeilingPool('fp32', Math.max(...fp32.workers));
    try {
      fp32Sweep = await sweep(ctx, pool, fp32);
    } finally {
      await pool.dispose();
    }
  }
  const int8Pool = await startCeilingPool('int8', Math.max(...int8.workers));
  try {
    const int8Sweep = await sweep(ctx, int8Pool, int8);
    return { result: { int8: int8Sweep, fp32: fp32Sweep }, int8Pool };
  } catch (error) {
    await int8Pool.dispose();
    throw error;
  }
}
