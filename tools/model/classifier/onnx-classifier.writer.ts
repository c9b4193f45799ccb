/**
 * Serialises trained ClassifierWeights as an ONNX graph (opset 13, plain ONNX ops that onnxruntime-node runs):
 *
 *   input_ids ─Gather(embedding)─┐
 *   attention_mask ─Cast(float)─Unsqueeze─Mul─ReduceSum(seq) ÷ max(ReduceSum(mask), 1)   (masked mean)
 *     ─MatMul─Add─Relu─MatMul─Add─→ logits [batch, classes]
 *
 * Inputs are exactly `input_ids` and `attention_mask` (int64): transformers.js feeds whatever the session's input
 * names ask for, so no token_type_ids is needed. Weights are stored as little-endian raw float32 data.
 */
import { DataType, GraphBuilder } from '../onnx-graph.builder';
import { ClassifierWeights } from './text-classifier.trainer';

export const OPSET = 13;

export interface OnnxModelMetadata {
  /** Free-form key/values stored in the model's metadata_props (e.g. labels, training seed). */
  [key: string]: string;
}

/** Builds the ONNX ModelProto bytes; same weights and metadata → same bytes. */
export function writeClassifierOnnx(weights: ClassifierWeights, metadata: OnnxModelMetadata = {}): Uint8Array {
  const { vocabSize, embeddingDim, hiddenDim, numClasses } = weights;
  const g = new GraphBuilder('complaint_classifier', { writeDefaultDomain: false });
  const inputIds = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  const table = g.initializer('embeddings.word_embeddings.weight', [vocabSize, embeddingDim], weights.embedding);
  const axesSequence = g.int64Constant('axes_sequence', [1]);
  const axesLast = g.int64Constant('axes_last', [2]);
  const one = g.floatConstant('one', 1);

  const tokens = g.op('Gather', [table, inputIds], 'token_embeddings', { axis: 0 });
  const mask = g.op('Cast', [attentionMask], 'mask_float', { to: DataType.FLOAT });
  const maskExpanded = g.op('Unsqueeze', [mask, axesLast], 'mask_expanded');
  const masked = g.op('Mul', [tokens, maskExpanded], 'masked_embeddings');
  const summed = g.op('ReduceSum', [masked, axesSequence], 'summed_embeddings', { keepdims: 0 });
  const count = g.op('ReduceSum', [mask, axesSequence], 'token_count', { keepdims: 1 });
  // An all-padding row would divide by zero: clamp the count at 1.
  const safeCount = g.op('Max', [count, one], 'token_count_safe');
  let features = g.op('Div', [summed, safeCount], 'pooled');
  let width = embeddingDim;
  if (hiddenDim > 0) {
    const weight = g.initializer('pre_classifier.weight', [embeddingDim, hiddenDim], weights.hiddenWeight);
    const bias = g.initializer('pre_classifier.bias', [hiddenDim], weights.hiddenBias);
    const linear = g.op('MatMul', [features, weight], 'hidden_linear');
    features = g.op('Relu', [g.op('Add', [linear, bias], 'hidden_biased')], 'hidden');
    width = hiddenDim;
  }
  const weight = g.initializer('classifier.weight', [width, numClasses], weights.outputWeight);
  const bias = g.initializer('classifier.bias', [numClasses], weights.outputBias);
  const logits = g.op('MatMul', [features, weight], 'logits_linear');
  g.node('Add', [logits, bias], ['logits'], {}, { exact: true });
  g.output('logits', DataType.FLOAT, ['batch_size', numClasses]);

  return g.toBytes({
    opset: OPSET,
    producerName: 'combot-training',
    docString: 'Combot complaint classifier: mean-pooled sub-word embeddings + MLP.',
    metadata,
  });
}
