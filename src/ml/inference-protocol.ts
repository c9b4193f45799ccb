import type { LabelScores, ModelRef } from './ml.types';
import type { RuntimeOptions } from './model-runtime';

/** Messages between the main thread and an inference worker thread. */
export interface InferenceWorkerData {
  ref: ModelRef;
  options: RuntimeOptions;
}

export type ToWorker = { type: 'classify'; id: number; texts: string[] } | { type: 'dispose' };

export type FromWorker =
  | { type: 'loaded'; revision: string; loadMs: number; nice: number | null }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; scores: LabelScores[]; inferenceMs: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'disposed' };
