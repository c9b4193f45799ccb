/**
 * The ONNX graph of HF DistilBertForSequenceClassification, written with plain ONNX ops the way an exporter
 * would, so onnxruntime's load-time fusions do what they would do to a real export (checked on ORT 1.30: erf-GELU
 * → BiasGelu/Gelu, int8 MatMul chains → MatMulIntegerToFloat/DynamicQuantizeMatMul; attention stays unfused):
 *
 *   input_ids ─Gather(word)─ + Slice(position)[:seq] ─LayerNorm─→ x
 *   attention_mask ─Cast─(1 − m)·lowest─→ additive bias [batch, 1, 1, seq]
 *   6 × { x = LN(x + out_lin(softmax(q·kᵀ/√d + bias)·v));  x = LN(x + lin2(gelu(lin1(x)))) }
 *   x[:, 0] ─pre_classifier─Relu─classifier─→ logits [batch, labels]
 *
 * Precision 'int8' stores the word embedding and every MatMul weight as int8 (per-tensor, symmetric) and computes
 * the MatMuls on dynamically quantized activations, like onnxruntime's `quantize_dynamic`.
 */
import { DataType, GraphBuilder, MS_DOMAIN } from '../onnx-graph.builder';
import {
  DistilBertWeights,
  LayerNormWeights,
  LinearWeights,
  TransformerLayerWeights,
  validateDims,
} from './distilbert-weights';
import { quantizeSymmetricInt8 } from './int8-quantization';

export type Precision = 'fp32' | 'int8';

/**
 * How an int8 MatMul is spelled. 'matmul-integer': standard ONNX DynamicQuantizeLinear → MatMulInteger → Cast →
 * Mul (+ Add bias), which onnxruntime fuses itself; 'dynamic-quantize-matmul': onnxruntime's fused contrib op
 * directly. Both compute the same thing.
 */
export type Int8Kernel = 'matmul-integer' | 'dynamic-quantize-matmul';

export interface GraphOptions {
  precision: Precision;
  int8Kernel?: Int8Kernel;
  metadata?: Record<string, string>;
}

export const OPSET = 17;
export const LAYER_NORM_EPS = 1e-12;
/** torch.finfo(float32).min, what HF DistilBERT fills masked scores with; score + lowest stays finite. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

/** Builds the graph of one model; the class only carries the builder and the precision through the helpers. */
class DistilBertGraph {
  readonly g = new GraphBuilder('distilbert_sequence_classifier', { writeDefaultDomain: true });
  /** Quantized activations by source value, so Q, K and V share one DynamicQuantizeLinear like quantize_dynamic. */
  private readonly quantizedInputs = new Map<string, [string, string, string]>();

  constructor(
    private readonly precision: Precision,
    private readonly int8Kernel: Int8Kernel,
  ) {}

  linear(x: string, w: LinearWeights, name: string): string {
    const bias = this.g.initializer(`${name}.bias`, [w.outFeatures], w.bias);
    if (this.precision === 'fp32') {
      const weight = this.g.initializer(`${name}.weight`, [w.inFeatures, w.outFeatures], w.weight);
      return this.g.op('Add', [this.g.op('MatMul', [x, weight], `${name}/MatMul`), bias], `${name}/Add`);
    }
    const q = quantizeSymmetricInt8(w.weight);
    const weight = this.g.initializer(`${name}.weight_quantized`, [w.inFeatures, w.outFeatures], q.values);
    const scale = this.g.floatConstant(`${name}.weight_scale`, q.scale);
    const zeroPoint = this.g.initializer(`${name}.weight_zero_point`, [], Int8Array.of(q.zeroPoint));
    if (this.int8Kernel === 'dynamic-quantize-matmul') {
      return this.g.op('DynamicQuantizeMatMul', [x, weight, scale, zeroPoint, bias], `${name}/Dqmm`, {}, MS_DOMAIN);
    }
    const [xq, xScale, xZeroPoint] = this.quantizeActivation(x);
    const integer = this.g.op('MatMulInteger', [xq, weight, xZeroPoint, zeroPoint], `${name}/MatMulInteger`);
    const asFloat = this.g.op('Cast', [integer], `${name}/Cast`, { to: DataType.FLOAT });
    const combinedScale = this.g.op('Mul', [xScale, scale], `${name}/scale`);
    const rescaled = this.g.op('Mul', [asFloat, combinedScale], `${name}/rescaled`);
    return this.g.op('Add', [rescaled, bias], `${name}/Add`);
  }

  private quantizeActivation(x: string): [string, string, string] {
    let quantized = this.quantizedInputs.get(x);
    if (!quantized) {
      const [q, scale, zeroPoint] = this.g.node('DynamicQuantizeLinear', [x], [`${x}_q`, `${x}_scale`, `${x}_zp`]);
      quantized = [q, scale, zeroPoint];
      this.quantizedInputs.set(x, quantized);
    }
    return quantized;
  }

  layerNorm(x: string, w: LayerNormWeights, name: string): string {
    const gamma = this.g.initializer(`${name}.weight`, [w.gamma.length], w.gamma);
    const beta = this.g.initializer(`${name}.bias`, [w.beta.length], w.beta);
    return this.g.op('LayerNormalization', [x, gamma, beta], `${name}/out`, {
      axis: -1,
      epsilon: { float: LAYER_NORM_EPS },
    });
  }

  /** Word embedding lookup; int8 keeps the 23M-entry table quantized and dequantizes only the looked-up rows. */
  wordEmbedding(inputIds: string, weights: DistilBertWeights): string {
    const shape = [weights.dims.vocabSize, weights.dims.hidden];
    if (this.precision === 'fp32') {
      const table = this.g.initializer('embeddings.word_embeddings.weight', shape, weights.wordEmbeddings);
      return this.g.op('Gather', [table, inputIds], 'embeddings/word', { axis: 0 });
    }
    const q = quantizeSymmetricInt8(weights.wordEmbeddings);
    const table = this.g.initializer('embeddings.word_embeddings.weight_quantized', shape, q.values);
    const scale = this.g.floatConstant('embeddings.word_embeddings.weight_scale', q.scale);
    const zeroPoint = this.g.initializer('embeddings.word_embeddings.weight_zero_point', [], Int8Array.of(0));
    const rows = this.g.op('Gather', [table, inputIds], 'embeddings/word_quantized', { axis: 0 });
    return this.g.op('DequantizeLinear', [rows, scale, zeroPoint], 'embeddings/word');
  }

  embeddings(inputIds: string, weights: DistilBertWeights): string {
    const { dims } = weights;
    const words = this.wordEmbedding(inputIds, weights);
    const positionTable = this.g.initializer(
      'embeddings.position_embeddings.weight',
      [dims.maxPositions, dims.hidden],
      weights.positionEmbeddings,
    );
    // Positions are 0..seq-1 for every row: slice the table instead of gathering arange(seq).
    const seqLength = this.g.op('Shape', [inputIds], 'embeddings/seq_length', { start: 1, end: 2 });
    const zero = this.g.int64Constant('const_0', [0]);
    const positions = this.g.op('Slice', [positionTable, zero, seqLength, zero], 'embeddings/position');
    const summed = this.g.op('Add', [words, positions], 'embeddings/sum');
    return this.layerNorm(summed, weights.embeddingLayerNorm, 'embeddings.LayerNorm');
  }

  /** [batch, seq] 1/0 mask → [batch, 1, 1, seq] additive bias: 0 where attended, float32 lowest where padded. */
  attentionBias(attentionMask: string): string {
    const mask = this.g.op('Cast', [attentionMask], 'mask/float', { to: DataType.FLOAT });
    const inverted = this.g.op('Sub', [this.g.floatConstant('const_one', 1), mask], 'mask/inverted');
    const bias = this.g.op('Mul', [inverted, this.g.floatConstant('const_lowest', FLOAT32_LOWEST)], 'mask/bias');
    return this.g.op('Unsqueeze', [bias, this.g.int64Constant('const_axes_1_2', [1, 2])], 'mask/bias_4d');
  }

  attention(
    x: string,
    bias: string,
    w: TransformerLayerWeights,
    dims: DistilBertWeights['dims'],
    name: string,
  ): string {
    const headDim = dims.hidden / dims.heads;
    const splitShape = this.g.int64Constant(`${name}.split_shape`, [0, 0, dims.heads, headDim]);
    const mergeShape = this.g.int64Constant(`${name}.merge_shape`, [0, 0, dims.hidden]);
    const heads = (projected: string, perm: number[], hint: string): string =>
      this.g.op('Transpose', [this.g.op('Reshape', [projected, splitShape], `${hint}_split`)], hint, { perm });

    // HF scales q by 1/√d before q·kᵀ.
    const scaledQuery = this.g.op(
      'Mul',
      [this.linear(x, w.query, `${name}.q_lin`), this.g.floatConstant(`${name}.scale`, 1 / Math.sqrt(headDim))],
      `${name}/q_scaled`,
    );
    const q = heads(scaledQuery, [0, 2, 1, 3], `${name}/q_heads`);
    const kT = heads(this.linear(x, w.key, `${name}.k_lin`), [0, 2, 3, 1], `${name}/k_heads_t`);
    const v = heads(this.linear(x, w.value, `${name}.v_lin`), [0, 2, 1, 3], `${name}/v_heads`);
    const scores = this.g.op('Add', [this.g.op('MatMul', [q, kT], `${name}/scores`), bias], `${name}/masked_scores`);
    const probs = this.g.op('Softmax', [scores], `${name}/probs`, { axis: -1 });
    const context = this.g.op('Transpose', [this.g.op('MatMul', [probs, v], `${name}/context`)], `${name}/context_t`, {
      perm: [0, 2, 1, 3],
    });
    const merged = this.g.op('Reshape', [context, mergeShape], `${name}/context_merged`);
    return this.linear(merged, w.attentionOutput, `${name}.out_lin`);
  }

  /** Exact (erf) GELU, spelled as the exporter spells it: x · 0.5 · (1 + erf(x / √2)). */
  gelu(x: string, name: string): string {
    const scaled = this.g.op('Div', [x, this.g.floatConstant(`${name}.sqrt2`, Math.SQRT2)], `${name}/div`);
    const erf = this.g.op('Erf', [scaled], `${name}/erf`);
    const onePlus = this.g.op('Add', [erf, this.g.floatConstant(`${name}.one`, 1)], `${name}/add`);
    const product = this.g.op('Mul', [x, onePlus], `${name}/mul`);
    return this.g.op('Mul', [product, this.g.floatConstant(`${name}.half`, 0.5)], `${name}/out`);
  }

  transformerLayer(x: string, bias: string, w: TransformerLayerWeights, weights: DistilBertWeights, i: number): string {
    const name = `transformer.layer.${i}`;
    const attended = this.attention(x, bias, w, weights.dims, `${name}.attention`);
    const afterAttention = this.layerNorm(
      this.g.op('Add', [attended, x], `${name}/attention_residual`),
      w.attentionLayerNorm,
      `${name}.sa_layer_norm`,
    );
    const hidden = this.gelu(this.linear(afterAttention, w.ffnIn, `${name}.ffn.lin1`), `${name}.ffn.gelu`);
    const ffnOut = this.linear(hidden, w.ffnOut, `${name}.ffn.lin2`);
    return this.layerNorm(
      this.g.op('Add', [ffnOut, afterAttention], `${name}/ffn_residual`),
      w.outputLayerNorm,
      `${name}.output_layer_norm`,
    );
  }

  /** [CLS] pooling → pre_classifier → ReLU → classifier, writing the graph output `logits`. */
  classifierHead(x: string, weights: DistilBertWeights): void {
    const cls = this.g.op('Gather', [x, this.g.initializer('const_cls_index', [], BigInt64Array.of(0n))], 'pooled', {
      axis: 1,
    });
    const pre = this.g.op('Relu', [this.linear(cls, weights.preClassifier, 'pre_classifier')], 'pre_classifier/relu');
    const logits = this.linear(pre, weights.classifier, 'classifier');
    this.g.node('Identity', [logits], ['logits'], {}, { exact: true });
    this.g.output('logits', DataType.FLOAT, ['batch_size', weights.dims.labels.length]);
  }
}

/** Serialises the classifier; same weights and options → same bytes. */
export function buildDistilBertOnnx(weights: DistilBertWeights, options: GraphOptions): Uint8Array {
  validateDims(weights.dims);
  const graph = new DistilBertGraph(options.precision, options.int8Kernel ?? 'matmul-integer');
  const inputIds = graph.g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = graph.g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  const bias = graph.attentionBias(attentionMask);
  let x = graph.embeddings(inputIds, weights);
  weights.layers.forEach((layer, i) => {
    x = graph.transformerLayer(x, bias, layer, weights, i);
  });
  graph.classifierHead(x, weights);
  return graph.g.toBytes({
    opset: OPSET,
    producerName: 'combot-bench-model',
    docString: 'Benchmark-only DistilBERT-shaped classifier with RANDOM weights: labels are meaningless.',
    metadata: options.metadata,
  });
}
