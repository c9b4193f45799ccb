import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TextClassificationPipeline } from '@huggingface/transformers';
import { LABELS, type LabelScores, type ModelRef } from './ml.types';

export interface RuntimeOptions {
  modelsDir: string;
  allowRemoteModels: boolean;
  intraOpThreads: number;
  maxTokens: number;
  /** Worker threads only: how much lower than the event loop they run (see thread-priority.ts); 0 = same. */
  workerNice?: number;
  /** Worker pool only: messages a worker may hold, the running one included (see worker-pool.runner.ts). */
  pipelineDepth?: number;
}

/** A transformers.js text-classification pipeline behind the four study labels. */
export interface TextClassifierRuntime {
  revision: string;
  classify(texts: string[]): Promise<LabelScores[]>;
  dispose(): Promise<void>;
}

function softmax(values: Float32Array): number[] {
  const max = Math.max(...values);
  const exps = Array.from(values, (value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * The model's revision as stored in the cache key: a local model's own content hash (config's
 * `combot.revision`, else a hash of its ONNX file), so retraining never serves stale cached results;
 * a hub model's requested revision.
 */
export function resolveModelRevision(ref: ModelRef, modelsDir: string): string {
  const dir = path.join(modelsDir, ref.id);
  const configPath = path.join(dir, 'config.json');
  if (!existsSync(configPath)) return ref.revision;
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { combot?: { revision?: unknown } };
  if (typeof config.combot?.revision === 'string') return config.combot.revision;
  const onnx = path.join(dir, 'onnx', 'model.onnx');
  if (!existsSync(onnx)) return ref.revision;
  return createHash('sha256').update(readFileSync(onnx)).digest('hex').slice(0, 12);
}

/** Maps a model's label names to A/B/C/Other: by name when it uses them, else by index. */
export function toLabelScores(
  output: { label: string; score: number }[],
  id2label: Record<string, string>,
): LabelScores {
  const scores: LabelScores = { A: 0, B: 0, C: 0, Other: 0 };
  const byName = LABELS.every((label) => Object.values(id2label).includes(label));
  const indexOf = new Map(Object.entries(id2label).map(([index, name]) => [name, Number(index)]));
  for (const { label, score } of output) {
    const target = byName ? label : LABELS[indexOf.get(label) ?? -1];
    if (target && (LABELS as readonly string[]).includes(target)) scores[target as keyof LabelScores] = score;
  }
  return scores;
}

/** Loads a model through `pipeline('text-classification', id)`; one ONNX session, `intraOpThreads` threads. */
export async function loadTextClassifier(ref: ModelRef, options: RuntimeOptions): Promise<TextClassifierRuntime> {
  // The CJS build of transformers.js; imported lazily so processes that never classify don't pay for it.
  const transformers = await import('@huggingface/transformers');
  transformers.env.localModelPath = `${options.modelsDir}${path.sep}`;
  transformers.env.allowLocalModels = true;
  transformers.env.allowRemoteModels = options.allowRemoteModels;
  const pipe: TextClassificationPipeline = await transformers.pipeline('text-classification', ref.id, {
    revision: ref.revision,
    device: 'cpu',
    dtype: 'fp32',
    session_options: { intraOpNumThreads: options.intraOpThreads, interOpNumThreads: 1 },
  });
  const id2label = (pipe.model.config as unknown as { id2label?: Record<string, string> }).id2label ?? {};
  return {
    revision: resolveModelRevision(ref, options.modelsDir),
    async classify(texts: string[]): Promise<LabelScores[]> {
      // The pipeline's own tokenizer and model, called directly: inputs are cut to a fixed token budget
      // (ORT's memory arena only grows with input size) and every label's score is kept, not a top-k.
      const inputs = pipe.tokenizer(texts, { padding: true, truncation: true, max_length: options.maxTokens });
      const { logits } = (await pipe.model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
      const [rows, columns] = logits.dims;
      return Array.from({ length: rows }, (_, row) => {
        const probabilities = softmax(logits.data.subarray(row * columns, (row + 1) * columns));
        return toLabelScores(
          probabilities.map((score, index) => ({ label: id2label[String(index)] ?? `LABEL_${index}`, score })),
          id2label,
        );
      });
    },
    async dispose(): Promise<void> {
      await pipe.dispose();
    },
  };
}
