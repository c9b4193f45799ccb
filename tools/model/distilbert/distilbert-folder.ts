/**
 * One benchmark model folder (config, tokenizer, ONNX, README, stamp), written through ../model-folder.ts's staging
 * and swap. The stamp records the generator version and every file's size: a folder is reused only if both still
 * match.
 */
import { copyFileSync, existsSync, linkSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FolderFiles, freshStagingDir, jsonText, labelMaps, swapInModelDirectory, writeFiles } from '../model-folder';
import type { DistilBertDims } from './distilbert-weights';
import type { Precision } from './distilbert-graph';

export const STAMP_FILE = '.generator-stamp.json';

export interface GeneratorKey {
  generatorVersion: number;
  seed: number;
  precision: Precision;
  dims: DistilBertDims;
}

interface Stamp extends GeneratorKey {
  /** Relative path → size in bytes, of every file written. */
  files: Record<string, number>;
}

export interface FolderContents {
  files: FolderFiles;
  /** Relative path → relative path of a file above that it duplicates (hard link, else copy). */
  aliases?: Record<string, string>;
}

function sameKey(a: GeneratorKey, b: GeneratorKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The stamped sizes of the folder's files, or null if the folder is missing, stale or incomplete. */
export function upToDateFiles(folder: string, key: GeneratorKey): Record<string, number> | null {
  const stampPath = join(folder, STAMP_FILE);
  if (!existsSync(stampPath)) return null;
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as Stamp;
  } catch {
    return null;
  }
  const { files, ...stampKey } = stamp;
  if (!sameKey(stampKey, key) || typeof files !== 'object') return null;
  const intact = Object.entries(files).every(([file, size]) => {
    const path = join(folder, file);
    return existsSync(path) && statSync(path).size === size;
  });
  return intact ? files : null;
}

/** Writes `contents` into `<folder>.staging`, then replaces `folder` with it; returns file sizes. */
export function writeModelFolder(folder: string, key: GeneratorKey, contents: FolderContents): Record<string, number> {
  const staging = freshStagingDir(folder);
  const sizes = writeFiles(staging, contents.files);
  for (const [alias, original] of Object.entries(contents.aliases ?? {})) {
    try {
      linkSync(join(staging, original), join(staging, alias));
    } catch {
      copyFileSync(join(staging, original), join(staging, alias));
    }
    sizes[alias] = sizes[original];
  }
  const stamp: Stamp = { ...key, files: sizes };
  writeFiles(staging, { [STAMP_FILE]: jsonText(stamp) });
  swapInModelDirectory(staging, folder);
  return sizes;
}

export interface ConfigInput {
  modelId: string;
  dims: DistilBertDims;
  precision: Precision;
  generatorVersion: number;
  seed: number;
  /** Content hash of onnx/model.onnx; the app's model runtime uses `combot.revision` as its cache key. */
  revision: string;
}

/**
 * HF DistilBertConfig fields, so transformers.js picks DistilBertForSequenceClassification. `dtype: 'fp32'` makes
 * the default file onnx/model.onnx, which in the int8 folder IS the int8 graph (the app always asks for fp32).
 */
export function createConfig(input: ConfigInput): Record<string, unknown> {
  const { dims } = input;
  return {
    _name_or_path: input.modelId,
    architectures: ['DistilBertForSequenceClassification'],
    model_type: 'distilbert',
    problem_type: 'single_label_classification',
    activation: 'gelu',
    dim: dims.hidden,
    hidden_dim: dims.ffn,
    n_heads: dims.heads,
    n_layers: dims.layers,
    vocab_size: dims.vocabSize,
    max_position_embeddings: dims.maxPositions,
    sinusoidal_pos_embds: false,
    initializer_range: 0.02,
    dropout: 0.1,
    attention_dropout: 0.1,
    seq_classif_dropout: 0.2,
    qa_dropout: 0.1,
    pad_token_id: 0,
    tie_weights_: true,
    torch_dtype: 'float32',
    ...labelMaps(dims.labels),
    'transformers.js_config': { dtype: 'fp32' },
    combot: {
      benchmarkOnly: true,
      randomWeights: true,
      precision: input.precision,
      generatorVersion: input.generatorVersion,
      seed: input.seed,
      revision: input.revision,
    },
  };
}

export function createReadme(modelId: string, precision: Precision, generatorVersion: number, seed: number): string {
  const graph =
    precision === 'fp32'
      ? 'float32 weights and MatMuls'
      : 'int8 weights (per-tensor symmetric) for the word embedding and every MatMul;\n' +
        'activations quantized at run time (DynamicQuantizeLinear + MatMulInteger, which onnxruntime fuses).\n' +
        'onnx/model_quantized.onnx is the same file, for dtype "q8"';
  return [
    `${modelId}: BENCHMARK-ONLY MODEL. DO NOT USE FOR CLASSIFICATION.`,
    '',
    'The weights are RANDOM (seeded PRNG, N(0, 0.02)); nothing was trained. The labels A, B, C, Other are',
    'meaningless and its predictions carry no information. Only its compute cost is real: it has the shape of',
    'DistilBertForSequenceClassification (6 layers, hidden 768, 12 heads, FFN 3072, ~30k WordPiece vocabulary,',
    '512 positions), so its latency and memory should be those of a fine-tuned distilbert-base-uncased classifier.',
    '',
    `onnx/model.onnx: ${graph}.`,
    '',
    `Generated by tools/model/distilbert/generate-distilbert.ts (generator version ${generatorVersion}, seed ${seed});`,
    'regenerate with `npm run bench:model -- --force`.',
    '',
  ].join('\n');
}
