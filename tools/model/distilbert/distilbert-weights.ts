/**
 * Shape and random weights of a DistilBERT sequence classifier (HF DistilBertForSequenceClassification layout).
 * Weights are meaningless: the model exists to measure inference cost, which depends on shape only. N(0, 0.02)
 * matches BERT's initializer range, so activations stay in a normal range (no NaN/overflow through 6 layers).
 */
import { deriveRng, gaussianArray } from '../seeded-random';

export interface DistilBertDims {
  vocabSize: number;
  maxPositions: number;
  hidden: number;
  heads: number;
  ffn: number;
  layers: number;
  labels: readonly string[];
}

/** distilbert-base-uncased, with the vocabulary size taken from the generated vocabulary. */
export const DISTILBERT_BASE_DIMS: Omit<DistilBertDims, 'vocabSize'> = {
  maxPositions: 512,
  hidden: 768,
  heads: 12,
  ffn: 3072,
  layers: 6,
  labels: ['A', 'B', 'C', 'Other'],
};

/** y = x·weight + bias; weight is stored [in, out] (the transpose of torch's Linear), as ONNX MatMul wants it. */
export interface LinearWeights {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array;
}

export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

export interface TransformerLayerWeights {
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  attentionOutput: LinearWeights;
  attentionLayerNorm: LayerNormWeights;
  ffnIn: LinearWeights;
  ffnOut: LinearWeights;
  outputLayerNorm: LayerNormWeights;
}

export interface DistilBertWeights {
  dims: DistilBertDims;
  wordEmbeddings: Float32Array;
  positionEmbeddings: Float32Array;
  embeddingLayerNorm: LayerNormWeights;
  layers: TransformerLayerWeights[];
  preClassifier: LinearWeights;
  classifier: LinearWeights;
}

/** The same structure at toy size (1 layer, hidden 32, 2 heads, vocab 100): builds and runs in unit specs in ms. */
export const TINY_DIMS: DistilBertDims = {
  vocabSize: 100,
  maxPositions: 16,
  hidden: 32,
  heads: 2,
  ffn: 64,
  layers: 1,
  labels: DISTILBERT_BASE_DIMS.labels,
};

export const INIT_STD = 0.02;

export function validateDims(dims: DistilBertDims): void {
  if (dims.hidden % dims.heads !== 0) throw new Error(`hidden ${dims.hidden} is not divisible by heads ${dims.heads}`);
  if (dims.labels.length < 2) throw new Error('a classifier needs at least two labels');
}

function randomLinear(seed: number, std: number, name: string, inFeatures: number, outFeatures: number): LinearWeights {
  return {
    inFeatures,
    outFeatures,
    weight: gaussianArray(deriveRng(seed, `${name}.weight`), inFeatures * outFeatures, std),
    bias: new Float32Array(outFeatures),
  };
}

function layerNorm(width: number): LayerNormWeights {
  return { gamma: new Float32Array(width).fill(1), beta: new Float32Array(width) };
}

/** Same dims, seed and std → the same weights, tensor by tensor. Tests raise `std` to get larger logits. */
export function createRandomWeights(dims: DistilBertDims, seed: number, std = INIT_STD): DistilBertWeights {
  validateDims(dims);
  const { hidden, ffn } = dims;
  const linear = (name: string, inFeatures: number, outFeatures: number): LinearWeights =>
    randomLinear(seed, std, name, inFeatures, outFeatures);
  const layers = Array.from({ length: dims.layers }, (_, i): TransformerLayerWeights => {
    const prefix = `transformer.layer.${i}`;
    return {
      query: linear(`${prefix}.attention.q_lin`, hidden, hidden),
      key: linear(`${prefix}.attention.k_lin`, hidden, hidden),
      value: linear(`${prefix}.attention.v_lin`, hidden, hidden),
      attentionOutput: linear(`${prefix}.attention.out_lin`, hidden, hidden),
      attentionLayerNorm: layerNorm(hidden),
      ffnIn: linear(`${prefix}.ffn.lin1`, hidden, ffn),
      ffnOut: linear(`${prefix}.ffn.lin2`, ffn, hidden),
      outputLayerNorm: layerNorm(hidden),
    };
  });
  return {
    dims,
    wordEmbeddings: gaussianArray(deriveRng(seed, 'embeddings.word_embeddings'), dims.vocabSize * hidden, std),
    positionEmbeddings: gaussianArray(
      deriveRng(seed, 'embeddings.position_embeddings'),
      dims.maxPositions * hidden,
      std,
    ),
    embeddingLayerNorm: layerNorm(hidden),
    layers,
    preClassifier: linear('pre_classifier', hidden, hidden),
    classifier: linear('classifier', hidden, dims.labels.length),
  };
}

/** Parameter count, for the generator's summary line. */
export function countParameters(dims: DistilBertDims): number {
  const { hidden, ffn, layers, vocabSize, maxPositions } = dims;
  const perLayer = 4 * (hidden * hidden + hidden) + 2 * hidden * ffn + ffn + hidden + 4 * hidden;
  return (
    (vocabSize + maxPositions) * hidden +
    2 * hidden +
    layers * perLayer +
    hidden * hidden +
    hidden +
    hidden * dims.labels.length +
    dims.labels.length
  );
}
