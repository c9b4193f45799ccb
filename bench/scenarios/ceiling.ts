/** Ceiling: the heavy model in the runtime's own worker pool, from this process: no HTTP, Redis, semaphore, cache. */
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { WorkerPoolRunner } from '../../src/ml/worker-pool.runner';
import { HEAVY_MODELS_DIR, REPO, type BenchContext, type CeilingConfig, type Scenario } from '../context';
import { fmt, table } from '../markdown';
import { MODEL_IDS } from '../../tools/model/distilbert/model-ids';
import type { CeilingGrid } from '../plan';
import { mean, percentile } from '../stats';

const MAX_TOKENS = 128; // the service's ML_MAX_TOKENS default: the same truncation on both sides
const TEXTS_PER_SWEEP = 400;
/** Texts sorted by length together: a queue as deep as the service's at 50 connections (ignoring the age limit). */
const GROUP_WINDOW = 48;
/** Batches in flight per worker: one running, one in its port, one in the pool's line, so none ever waits. */
const IN_FLIGHT_PER_WORKER = 3;

type Dtype = keyof typeof MODEL_IDS;
type CeilingPool = Awaited<ReturnType<typeof startCeilingPool>>;

/** The built runner: the very code the service runs, with plain-JS workers that start without ts-node. */
export async function startCeilingPool(dtype: Dtype, workers: number) {
  Logger.overrideLogger(['warn', 'error']); // the runner logs every worker's load at info level
  const file = path.join(REPO, 'dist', 'src', 'ml', 'worker-pool.runner.js');
  const built = (await import(file)) as { WorkerPoolRunner: typeof WorkerPoolRunner };
  const ref = { id: MODEL_IDS[dtype], revision: 'main' };
  const options = { modelsDir: HEAVY_MODELS_DIR, allowRemoteModels: false, intraOpThreads: 1, maxTokens: MAX_TOKENS };
  // `record` receives each session run's time (measured in the worker) while a window is open.
  const pool = { modelId: ref.id, workers, record: null as ((inferenceMs: number) => void) | null };
  const started = Date.now();
  // Threads at the event loop's priority: here nothing else needs the cores.
  const runner = await built.WorkerPoolRunner.start(ref, { ...options, workerNice: 0 }, workers, (ms) =>
    pool.record?.(ms),
  );
  return Object.assign(pool, { runner, loadMs: Date.now() - started });
}

/**
 * Keeps every worker busy with batches of `texts` past a warm-up of a batch per worker, then counts the texts of
 * batches finished in the window; returns those batches too, to measure their padded lengths off the clock.
 */
export async function measureCeiling(
  pool: CeilingPool,
  { batch, grouped }: Omit<CeilingConfig, 'workers'>,
  texts: string[],
  { warmupMs, durationMs }: { warmupMs: number; durationMs: number },
): Promise<{ textsPerSecond: number; batchP50Ms: number; batches: string[][] }> {
  const order = grouped
    ? Array.from({ length: Math.ceil(texts.length / GROUP_WINDOW) }, (_, index) =>
        texts.slice(index * GROUP_WINDOW, (index + 1) * GROUP_WINDOW).sort((a, b) => a.length - b.length),
      ).flat()
    : texts;
  let cursor = 0;
  const warmupEnd = performance.now() + warmupMs;
  let warmupBatches = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const batches: string[][] = [];
  const batchMs: number[] = [];
  const lane = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      const next = Array.from({ length: batch }, () => order[cursor++ % order.length]);
      await pool.runner.classify(next);
      const now = performance.now();
      if (now >= windowStart && now <= windowEnd) batches.push(next);
      else if (++warmupBatches >= pool.workers && now >= warmupEnd && windowStart === Number.POSITIVE_INFINITY) {
        [windowStart, windowEnd] = [now, now + durationMs];
        pool.record = (ms) => batchMs.push(ms);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: pool.workers * IN_FLIGHT_PER_WORKER }, lane));
  } finally {
    pool.record = null;
  }
  const textsPerSecond = ((batches.length * batch) / durationMs) * 1000;
  return { textsPerSecond, batchP50Ms: percentile(batchMs, 50), batches };
}

async function sweep(ctx: BenchContext, dtype: Dtype, grid: CeilingGrid) {
  const texts = Array.from({ length: TEXTS_PER_SWEEP }, () => ctx.corpus.nextUnique().text);
  const variants = [
    ...grid.batches.map((batch) => ({ batch, grouped: false })),
    ...grid.groupedBatches.map((batch) => ({ batch, grouped: true })),
  ];
  // The model's own tokenizer, loaded lazily as the runtime does, for padded lengths after each window.
  const transformers = await import('@huggingface/transformers');
  transformers.env.localModelPath = `${HEAVY_MODELS_DIR}${path.sep}`;
  transformers.env.allowRemoteModels = false;
  const tokenizer = await transformers.AutoTokenizer.from_pretrained(MODEL_IDS[dtype]);
  const paddedLength = (batch: string[]): number =>
    (tokenizer(batch, { padding: true, truncation: true, max_length: MAX_TOKENS }).input_ids as { dims: number[] })
      .dims[1];
  const measured = [];
  let loadMs = 0;
  for (const workers of grid.workers) {
    // One pool per worker count: a bigger pool's spare workers would take part in dispatch.
    const pool = await startCeilingPool(dtype, workers);
    loadMs = pool.loadMs;
    try {
      for (const { batch, grouped } of variants) {
        const run = await measureCeiling(pool, { batch, grouped }, texts, ctx.plan.ceiling);
        const { textsPerSecond, batchP50Ms, batches } = run;
        // Mean padded sequence length the model saw (WordPiece tokens incl. [CLS]/[SEP], capped at MAX_TOKENS).
        const meanSequenceLength = mean(batches.map(paddedLength));
        measured.push({ workers, batch, grouped, textsPerSecond, batchP50Ms, meanSequenceLength });
        ctx.log(
          `    ${pool.modelId} workers ${workers} batch ${batch}${grouped ? ' grouped' : ''}: ` +
            `${fmt(textsPerSecond, 1)} texts/s (batch p50 ${fmt(batchP50Ms, 1)} ms, ` +
            `mean padded length ${fmt(meanSequenceLength, 1)})`,
        );
      }
    } finally {
      await pool.runner.dispose();
    }
  }
  const best = measured.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  return { modelId: MODEL_IDS[dtype], loadMs, grid: measured, best };
}

/** Sweeps fp32 then int8; leaves int8's best setting for the comparison with the service. */
export const ceiling: Scenario = async (ctx) => {
  const { int8, fp32 } = ctx.plan.ceiling;
  const result = {
    fp32: fp32.workers.length ? await sweep(ctx, 'fp32', fp32) : null,
    int8: await sweep(ctx, 'int8', int8),
  };
  const { workers, batch, grouped } = result.int8.best;
  ctx.ceilingBest = { workers, batch, grouped };
  const section = [
    "## Ceiling — the runtime's worker pool in this process, no HTTP/Redis",
    '',
    ...[result.int8, result.fp32]
      .filter((sweep) => sweep !== null)
      .flatMap(({ modelId, loadMs, best, grid }) => [
        `${modelId} (load ${loadMs} ms for the largest pool); best: workers ${best.workers} × batch ${best.batch}${best.grouped ? ' grouped' : ''} = **${fmt(best.textsPerSecond)} texts/s**`,
        '',
        ...table(grid, [
          ['workers', (m) => String(m.workers)],
          ['batch', (m) => String(m.batch)],
          ['grouped by length', (m) => (m.grouped ? 'yes' : 'no')],
          ['texts/s', (m) => fmt(m.textsPerSecond)],
          ['batch p50 ms', (m) => fmt(m.batchP50Ms)],
          ['mean padded tokens', (m) => fmt(m.meanSequenceLength)],
        ]),
      ]),
  ];
  return { result, section, targets: [] };
};
