import type { Label } from '../chat/chat.types';

export type { Label };

/** Which model: an id (a folder under ML_MODELS_DIR, or a hub id) and the revision asked for. */
export interface ModelRef {
  id: string;
  revision: string;
}

export type LabelScores = Record<Label, number>;

export interface Classification {
  label: Label;
  scores: LabelScores;
  /** `revision` is the resolved one: the model's content hash for a local model. */
  model: ModelRef;
}

export interface ClassificationResult extends Classification {
  cached: boolean;
}

/** Runs a loaded model: in worker threads, or on the main thread (the seed's design, for comparison). */
export interface InferenceRunner {
  readonly revision: string;
  readonly workers: number;
  readonly stats: RunnerStats;
  classify(texts: string[]): Promise<LabelScores[]>;
  /** Waits for work in progress, then frees the sessions. */
  dispose(): Promise<void>;
}

export interface RunnerStats {
  inferences: number;
  texts: number;
  totalMs: number;
}
