/** Where the benchmark models live and what they are called; shared by the generator and the verifier. */
import { resolve } from 'node:path';
import type { Precision } from './distilbert-graph';

/** One model id per precision: the app's runtime always asks transformers.js for onnx/model.onnx (dtype fp32). */
export const MODEL_IDS: Record<Precision, string> = {
  fp32: 'distilbert-shaped-fp32',
  int8: 'distilbert-shaped-int8',
};

/** bench/.cache/models/ (git-ignored); pass it, with a trailing separator, as transformers.js env.localModelPath. */
export const DEFAULT_MODELS_DIR = resolve(__dirname, '..', '..', '..', 'bench', '.cache', 'models');
