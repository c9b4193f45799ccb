import { Logger } from '@nestjs/common';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker, InferenceWorkerData, ToWorker } from './inference-protocol';
import { MICRO_BATCH_OFF, MicroBatchOptions, MicroBatchQueue, splitResults } from './micro-batch-queue';
import {
  InferenceAbandoned,
  type InferenceRunner,
  type LabelScores,
  type ModelRef,
  type RunnerStats,
} from './ml.types';
import type { RuntimeOptions } from './model-runtime';

interface Task {
  texts: string[];
  resolve: (scores: LabelScores[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Messages sent and not yet answered, oldest first; each holds its tasks (one unless micro-batching). */
  inFlight: { id: number; tasks: Task[] }[];
  taskId: number;
}

/**
 * Messages a worker may hold by default (ML_WORKER_PIPELINE_DEPTH): the one it runs and the next, already in
 * its port. A worker that finishes then starts the next text at once instead of idling until the event loop
 * has handled its result and sent another (measured: workers sat idle ~8 % of the time with one each).
 */
const DEFAULT_PIPELINE_DEPTH = 2;

const DISPOSE_WAIT_MS = 30_000;

/** Under ts-node/jest the worker is TypeScript: register ts-node inside the worker thread too. */
function workerEntry(): { file: string; execArgv: string[] } {
  const extension = path.extname(__filename);
  const file = path.join(__dirname, `inference.worker${extension}`);
  return { file, execArgv: extension === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [] };
}

/**
 * One model served by N worker threads, each with its own single-threaded ONNX session. Tasks wait in
 * one line and go to whichever worker is free: one at a time (FIFO), or, with micro-batching on, several
 * tasks' texts in one session run (see MicroBatchQueue). A worker that dies fails its tasks and is replaced.
 */
export class WorkerPoolRunner implements InferenceRunner {
  private readonly logger = new Logger(WorkerPoolRunner.name);
  private readonly slots: Slot[] = [];
  private readonly queue: MicroBatchQueue<Task>;
  private disposing = false;
  private idleWaiters: (() => void)[] = [];
  readonly stats: RunnerStats = { inferences: 0, texts: 0, totalMs: 0 };
  revision = '';

  private constructor(
    private readonly ref: ModelRef,
    private readonly options: RuntimeOptions,
    private readonly size: number,
    private readonly onInference: (ms: number, texts: number) => void,
    microBatch: MicroBatchOptions,
  ) {
    this.queue = new MicroBatchQueue<Task>(microBatch, () => this.dispatch());
  }

  get workers(): number {
    return this.slots.length;
  }

  static async start(
    ref: ModelRef,
    options: RuntimeOptions,
    size: number,
    onInference: (ms: number, texts: number) => void = () => undefined,
    microBatch: MicroBatchOptions = MICRO_BATCH_OFF,
  ): Promise<WorkerPoolRunner> {
    const runner = new WorkerPoolRunner(ref, options, size, onInference, microBatch);
    try {
      const slots = await Promise.all(Array.from({ length: size }, () => runner.spawn()));
      runner.slots.push(...slots);
    } catch (error) {
      await runner.terminateAll();
      throw error;
    }
    return runner;
  }

  classify(texts: string[], signal?: AbortSignal): Promise<LabelScores[]> {
    if (this.disposing) return Promise.reject(new Error('model is being unloaded'));
    if (signal?.aborted) return Promise.reject(new InferenceAbandoned());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.queue.remove(task)) return; // already with a worker: it finishes
        reject(new InferenceAbandoned());
        this.dispatch(); // also settles a dispose() waiting for the pool to be idle
      };
      const settled = (): void => signal?.removeEventListener('abort', onAbort);
      const task: Task = {
        texts,
        resolve: (scores) => {
          settled();
          resolve(scores);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  async dispose(): Promise<void> {
    this.disposing = true;
    if (this.queue.size > 0 || this.slots.some((slot) => slot.inFlight.length > 0)) {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_WAIT_MS).unref()),
      ]);
    }
    await this.terminateAll();
  }

  private dispatch(): void {
    // Idle workers first, so a light load is spread over all of them; then each worker's next message.
    fill: for (let depth = 0; depth < (this.options.pipelineDepth ?? DEFAULT_PIPELINE_DEPTH); depth++) {
      for (const slot of this.slots) {
        if (slot.inFlight.length !== depth) continue;
        const batch = this.queue.take();
        if (!batch) break fill; // nothing queued, or the queue waits for its batch to fill and will call back
        slot.taskId++;
        slot.inFlight.push({ id: slot.taskId, tasks: batch });
        const texts = batch.length === 1 ? batch[0].texts : batch.flatMap((task) => task.texts);
        const message: ToWorker = { type: 'classify', id: slot.taskId, texts };
        slot.worker.postMessage(message);
      }
    }
    if (this.queue.size === 0 && this.slots.every((slot) => slot.inFlight.length === 0)) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private spawn(): Promise<Slot> {
    const { file, execArgv } = workerEntry();
    const data: InferenceWorkerData = { ref: this.ref, options: this.options };
    const worker = new Worker(file, { workerData: data, execArgv });
    const slot: Slot = { worker, inFlight: [], taskId: 0 };
    return new Promise<Slot>((resolve, reject) => {
      let loaded = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'loaded':
            loaded = true;
            this.revision = message.revision;
            this.logger.log(
              `worker ${worker.threadId} loaded ${this.ref.id}@${message.revision} in ${message.loadMs} ms` +
                (message.nice === null ? '' : ` (thread niceness ${message.nice})`),
            );
            resolve(slot);
            return;
          case 'load-failed':
            reject(new Error(message.message));
            void worker.terminate();
            return;
          case 'result':
          case 'error':
            this.settle(slot, message);
            return;
          case 'disposed':
            return;
        }
      });
      worker.on('error', (error) => {
        if (!loaded) reject(error);
        else this.logger.error(`worker ${worker.threadId} crashed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        if (!loaded) {
          reject(new Error(`inference worker exited with code ${code} while loading`));
          return;
        }
        this.replace(slot, code);
      });
    });
  }

  private settle(slot: Slot, message: Extract<FromWorker, { type: 'result' | 'error' }>): void {
    // A worker answers its messages in the order it received them.
    if (slot.inFlight[0]?.id !== message.id) return;
    const batch = (slot.inFlight.shift() as { tasks: Task[] }).tasks;
    if (message.type === 'result') {
      // One message is one session run, however many tasks it served.
      const texts = batch.reduce((total, task) => total + task.texts.length, 0);
      this.stats.inferences++;
      this.stats.texts += texts;
      this.stats.totalMs += message.inferenceMs;
      this.onInference(message.inferenceMs, texts);
      let parts: LabelScores[][];
      try {
        parts = splitResults(batch, message.scores);
      } catch (error) {
        for (const task of batch) task.reject(error as Error);
        this.dispatch();
        return;
      }
      batch.forEach((task, index) => task.resolve(parts[index]));
    } else {
      for (const task of batch) task.reject(new Error(message.message));
    }
    this.dispatch();
  }

  /** A worker that exits unexpectedly fails its tasks and is replaced, so capacity recovers. */
  private replace(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // terminated on purpose
    this.slots.splice(index, 1);
    for (const { tasks } of slot.inFlight.splice(0)) {
      for (const task of tasks) task.reject(new Error(`inference worker exited with code ${code}`));
    }
    if (this.disposing) return;
    this.logger.warn(`inference worker exited (code ${code}); starting a replacement`);
    this.spawn().then(
      (fresh) => {
        this.slots.push(fresh);
        this.dispatch();
      },
      (error: unknown) => this.logger.error(`replacement worker failed to load: ${String(error)}`),
    );
  }

  private async terminateAll(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const task of this.queue.clear()) task.reject(new Error('model unloaded'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
