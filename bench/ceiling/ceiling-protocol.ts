/** Messages between the ceiling pool and its worker threads. */
export interface CeilingWorkerData {
  modelsDir: string;
  modelId: string;
  maxTokens: number;
}

export interface RunRequest {
  type: 'run';
  batch: number;
  /** Batches of similar length: each window of GROUP_WINDOW texts sorted by length, then cut into batches. */
  grouped: boolean;
  warmupMs: number;
  durationMs: number;
  texts: string[];
}

export type ToCeilingWorker = RunRequest | { type: 'exit' };

export interface RunResult {
  texts: number;
  batches: number;
  elapsedMs: number;
  batchMs: number[];
  /** Mean padded sequence length the model saw (WordPiece tokens incl. [CLS]/[SEP], capped at maxTokens). */
  meanSequenceLength: number;
}

export type FromCeilingWorker =
  | { type: 'loaded'; loadMs: number }
  | { type: 'load-failed'; message: string }
  | ({ type: 'done' } & RunResult)
  | { type: 'failed'; message: string };
