import type { InferenceRunner, LabelScores, ModelRef, RunnerStats } from './ml.types';
import { loadTextClassifier, RuntimeOptions, TextClassifierRuntime } from './model-runtime';

/**
 * The seed design's inference: the model runs on the event-loop thread. Kept only so the benchmark
 * can measure what worker threads buy (`ML_INFERENCE_MODE=main-thread`); never the default.
 */
export class MainThreadRunner implements InferenceRunner {
  readonly workers = 0;
  readonly stats: RunnerStats = { inferences: 0, texts: 0, totalMs: 0 };

  private constructor(
    private readonly runtime: TextClassifierRuntime,
    private readonly onInference: (ms: number, texts: number) => void,
  ) {}

  get revision(): string {
    return this.runtime.revision;
  }

  static async start(
    ref: ModelRef,
    options: RuntimeOptions,
    onInference: (ms: number, texts: number) => void = () => undefined,
  ): Promise<MainThreadRunner> {
    return new MainThreadRunner(await loadTextClassifier(ref, options), onInference);
  }

  async classify(texts: string[]): Promise<LabelScores[]> {
    const begun = performance.now();
    const scores = await this.runtime.classify(texts);
    const ms = performance.now() - begun;
    this.stats.inferences++;
    this.stats.texts += texts.length;
    this.stats.totalMs += ms;
    this.onInference(ms, texts.length);
    return scores;
  }

  dispose(): Promise<void> {
    return this.runtime.dispose();
  }
}
