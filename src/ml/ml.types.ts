/** What the classifier tells apart: A product problem, B delivery problem, C bad interaction with staff, Other. */
export const LABELS = ['A', 'B', 'C', 'Other'] as const;
export type Label = (typeof LABELS)[number];

/** Which model: an id (a folder under ML_MODELS_DIR, or a hub id) and the revision asked for. */
export interface ModelRef {
  id: string;
  revision: string;
}

export type LabelScores = Record<Label, number>;

/** Runs a loaded model: in worker threads, or on the main thread (the seed's design, for comparison). */
export interface InferenceRunner {
  readonly revision: string;
  readonly workers: number;
  readonly stats: RunnerStats;
  /**
   * `signal` aborted while the texts still wait for a worker takes them out of line (rejects with
   * `InferenceAbandoned`); once running they finish. Runners without a line of their own ignore it.
   */
  classify(texts: string[], signal?: AbortSignal): Promise<LabelScores[]>;
  /** Waits for work in progress, then frees the sessions. */
  dispose(): Promise<void>;
}

export interface RunnerStats {
  inferences: number;
  texts: number;
  totalMs: number;
}

/** Texts taken out of the inference line because nobody waits for their result any more. */
export class InferenceAbandoned extends Error {
  constructor() {
    super('inference abandoned: every request waiting for it has gone');
    this.name = 'InferenceAbandoned';
  }
}
