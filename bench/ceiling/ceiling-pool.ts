import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CeilingWorkerData, FromCeilingWorker, RunRequest, RunResult } from './ceiling-protocol';

export interface CeilingMeasurement {
  workers: number;
  batch: number;
  /** Batches grouped by length (see ceiling.worker), not in arrival order. */
  grouped: boolean;
  /** Texts classified per second, summed over the workers' own measured windows. */
  textsPerSecond: number;
  batchP50Ms: number;
  meanSequenceLength: number;
}

/** Under ts-node the worker is TypeScript: register ts-node inside the thread too (as the service's pool does). */
function workerEntry(): { file: string; execArgv: string[] } {
  const extension = path.extname(__filename);
  return {
    file: path.join(__dirname, `ceiling.worker${extension}`),
    execArgv: extension === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [],
  };
}

function waitFor<T extends FromCeilingWorker['type']>(
  worker: Worker,
  type: T,
): Promise<Extract<FromCeilingWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromCeilingWorker): void => {
      if (message.type === type) {
        cleanup();
        resolve(message as Extract<FromCeilingWorker, { type: T }>);
      } else if (message.type === 'load-failed' || message.type === 'failed') {
        cleanup();
        reject(new Error(`ceiling worker: ${message.message}`));
      }
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`ceiling worker exited with code ${code}`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

/** N worker threads holding one model each; measures texts/s at a batch size, all workers at once. */
export class CeilingPool {
  private constructor(
    private readonly workers: Worker[],
    readonly modelId: string,
    readonly loadMs: number,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  static async start(data: CeilingWorkerData, size: number): Promise<CeilingPool> {
    const { file, execArgv } = workerEntry();
    const started = Date.now();
    const workers = Array.from({ length: size }, () => new Worker(file, { workerData: data, execArgv }));
    try {
      await Promise.all(workers.map((worker) => waitFor(worker, 'loaded')));
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new CeilingPool(workers, data.modelId, Date.now() - started);
  }

  /**
   * Runs the first `workers` threads at once (the others stay idle, so one loaded pool serves every worker
   * count). Each gets its own slice of `texts`, so the workers never run the same input in lockstep.
   */
  async measure(
    workers: number,
    batch: number,
    warmupMs: number,
    durationMs: number,
    texts: string[],
    grouped = false,
  ): Promise<CeilingMeasurement> {
    if (workers < 1 || workers > this.workers.length)
      throw new Error(`pool has ${this.workers.length} workers, not ${workers}`);
    const active = this.workers.slice(0, workers);
    const slice = Math.floor(texts.length / active.length);
    const results: RunResult[] = await Promise.all(
      active.map((worker, index) => {
        const done = waitFor(worker, 'done');
        const request: RunRequest = {
          type: 'run',
          batch,
          grouped,
          warmupMs,
          durationMs,
          texts: texts.slice(index * slice, (index + 1) * slice),
        };
        worker.postMessage(request);
        return done;
      }),
    );
    const batchMs = results.flatMap((result) => result.batchMs).sort((a, b) => a - b);
    const batches = results.reduce((sum, result) => sum + result.batches, 0);
    return {
      workers,
      batch,
      grouped,
      textsPerSecond: results.reduce((sum, result) => sum + (result.texts / result.elapsedMs) * 1000, 0),
      batchP50Ms: batchMs[Math.floor(batchMs.length / 2)] ?? Number.NaN,
      meanSequenceLength: batches
        ? results.reduce((sum, result) => sum + result.meanSequenceLength * result.batches, 0) / batches
        : Number.NaN,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
