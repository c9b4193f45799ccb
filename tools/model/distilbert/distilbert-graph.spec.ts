/**
 * Builds a TINY DistilBERT (1 layer, hidden 32, 2 heads, vocab 100) with the same builder the benchmark generator
 * uses and runs it in onnxruntime-node: output shape, agreement with a plain-JS forward pass, and padding that is
 * really masked. Runs in CI in well under a second, without generating the 250 MB model.
 */
import { onnx } from 'onnx-proto';
import { Ort, useMainRealmTypedArrays } from '../onnxruntime-in-jest';
import { createRng, gaussianArray } from '../seeded-random';
import { buildDistilBertOnnx, GraphOptions, LAYER_NORM_EPS, OPSET } from './distilbert-graph';
import {
  createRandomWeights,
  DistilBertWeights,
  LayerNormWeights,
  LinearWeights,
  TINY_DIMS,
} from './distilbert-weights';

useMainRealmTypedArrays();
let ort: Ort;
beforeAll(async () => {
  ort = await import('onnxruntime-node');
});

/** Random weights with non-zero biases and LayerNorm parameters, so a mis-wired bias cannot go unnoticed. */
function tinyWeights(): DistilBertWeights {
  const weights = createRandomWeights(TINY_DIMS, 7, 0.2);
  const rng = createRng(11);
  const randomize = (values: Float32Array, mean: number): void =>
    gaussianArray(rng, values.length, 0.1).forEach((v, i) => (values[i] = mean + v));
  const linears: LinearWeights[] = [weights.preClassifier, weights.classifier];
  const norms: LayerNormWeights[] = [weights.embeddingLayerNorm];
  for (const layer of weights.layers) {
    linears.push(layer.query, layer.key, layer.value, layer.attentionOutput, layer.ffnIn, layer.ffnOut);
    norms.push(layer.attentionLayerNorm, layer.outputLayerNorm);
  }
  linears.forEach((l) => randomize(l.bias, 0));
  norms.forEach((n) => (randomize(n.gamma, 1), randomize(n.beta, 0)));
  return weights;
}

// ---- plain-JS reference forward pass (float64), HF DistilBertForSequenceClassification semantics ----

type Vec = number[];

function linear(x: Vec, w: LinearWeights): Vec {
  const out = Array.from(w.bias);
  for (let i = 0; i < w.inFeatures; i++) {
    for (let o = 0; o < w.outFeatures; o++) out[o] += x[i] * w.weight[i * w.outFeatures + o];
  }
  return out;
}

function layerNorm(x: Vec, w: LayerNormWeights): Vec {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + LAYER_NORM_EPS)) * w.gamma[i] + w.beta[i]);
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): JavaScript has no Math.erf. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}

const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]);

function selfAttention(x: Vec[], mask: number[], w: DistilBertWeights['layers'][number], heads: number): Vec[] {
  const q = x.map((t) => linear(t, w.query));
  const k = x.map((t) => linear(t, w.key));
  const v = x.map((t) => linear(t, w.value));
  const headDim = q[0].length / heads;
  return x.map((_, i) => {
    const context: Vec = [];
    for (let h = 0; h < heads; h++) {
      const slice = (row: Vec): Vec => row.slice(h * headDim, (h + 1) * headDim);
      const scores = k.map((kj, j) =>
        mask[j] ? slice(q[i]).reduce((s, qd, d) => s + qd * slice(kj)[d], 0) / Math.sqrt(headDim) : -Infinity,
      );
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((a, b) => a + b, 0);
      const ctx = new Array<number>(headDim).fill(0);
      exps.forEach((e, j) => slice(v[j]).forEach((vd, d) => (ctx[d] += (e / total) * vd)));
      context.push(...ctx);
    }
    return linear(context, w.attentionOutput);
  });
}

function referenceLogits(weights: DistilBertWeights, ids: number[], mask: number[]): Vec {
  const { hidden, heads } = weights.dims;
  const row = (table: Float32Array, r: number): Vec => Array.from(table.subarray(r * hidden, (r + 1) * hidden));
  let x = ids.map((id, t) =>
    layerNorm(add(row(weights.wordEmbeddings, id), row(weights.positionEmbeddings, t)), weights.embeddingLayerNorm),
  );
  for (const layer of weights.layers) {
    const attended = selfAttention(x, mask, layer, heads);
    x = x.map((t, i) => layerNorm(add(t, attended[i]), layer.attentionLayerNorm));
    x = x.map((t) => layerNorm(add(t, linear(linear(t, layer.ffnIn).map(gelu), layer.ffnOut)), layer.outputLayerNorm));
  }
  const pre = linear(x[0], weights.preClassifier).map((v) => Math.max(0, v));
  return linear(pre, weights.classifier);
}

// ---- running the ONNX graph ----

async function runLogits(bytes: Uint8Array, ids: number[][], mask: number[][]): Promise<number[][]> {
  const int64 = (rows: number[][]): InstanceType<Ort['Tensor']> =>
    new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask) });
    expect(out.logits.dims).toEqual([ids.length, TINY_DIMS.labels.length]);
    const data = Array.from(out.logits.data as Float32Array);
    return ids.map((_, b) => data.slice(b * TINY_DIMS.labels.length, (b + 1) * TINY_DIMS.labels.length));
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

const SHORT = [2, 17, 42, 9, 3];
const LONG = [2, 55, 61, 23, 88, 14, 70, 5, 3];
/** SHORT padded to LONG's length with NON-zero ids: only the mask may hide them. */
const SHORT_PADDED = [...SHORT, 99, 98, 97, 96];
const BATCH_IDS = [SHORT_PADDED, LONG];
const BATCH_MASK = [SHORT.map(() => 1).concat([0, 0, 0, 0]), LONG.map(() => 1)];

describe('buildDistilBertOnnx (tiny)', () => {
  const weights = tinyWeights();

  it('declares int64 input_ids/attention_mask, float logits [batch, labels], opset 17', () => {
    const model = onnx.ModelProto.decode(buildDistilBertOnnx(weights, { precision: 'fp32' }));
    const graph = model.graph as onnx.GraphProto;
    expect(graph.input.map((i) => [i.name, i.type?.tensorType?.elemType])).toEqual([
      ['input_ids', onnx.TensorProto.DataType.INT64],
      ['attention_mask', onnx.TensorProto.DataType.INT64],
    ]);
    expect(graph.output.map((o) => o.name)).toEqual(['logits']);
    expect(Number(model.opsetImport.find((o) => !o.domain)?.version)).toBe(OPSET);
  });

  it('is deterministic: same weights and options give the same bytes', () => {
    const again = buildDistilBertOnnx(tinyWeights(), { precision: 'int8' });
    expect(Buffer.from(buildDistilBertOnnx(weights, { precision: 'int8' })).equals(Buffer.from(again))).toBe(true);
  });

  describe('fp32', () => {
    const bytes = buildDistilBertOnnx(weights, { precision: 'fp32' });

    it('matches a plain-JS DistilBERT forward pass', async () => {
      const [logits] = await runLogits(bytes, [LONG], [LONG.map(() => 1)]);
      expect(
        maxAbsDiff(
          logits,
          referenceLogits(
            weights,
            LONG,
            LONG.map(() => 1),
          ),
        ),
      ).toBeLessThan(1e-4);
      expect(Math.max(...logits.map(Math.abs))).toBeGreaterThan(0.05); // not trivially zero
    });

    it('gives a text the same logits alone and padded inside a batch', async () => {
      const [alone] = await runLogits(bytes, [SHORT], [SHORT.map(() => 1)]);
      const [inBatch, long] = await runLogits(bytes, BATCH_IDS, BATCH_MASK);
      expect(maxAbsDiff(alone, inBatch)).toBeLessThan(1e-5);
      expect(
        maxAbsDiff(
          long,
          referenceLogits(
            weights,
            LONG,
            LONG.map(() => 1),
          ),
        ),
      ).toBeLessThan(1e-4);
    });

    it('really uses the mask: the same padded ids unmasked change the logits', async () => {
      const [masked] = await runLogits(bytes, [SHORT_PADDED], [BATCH_MASK[0]]);
      const [unmasked] = await runLogits(bytes, [SHORT_PADDED], [SHORT_PADDED.map(() => 1)]);
      expect(maxAbsDiff(masked, unmasked)).toBeGreaterThan(1e-3);
    });
  });

  describe.each<GraphOptions>([
    { precision: 'int8', int8Kernel: 'matmul-integer' },
    { precision: 'int8', int8Kernel: 'dynamic-quantize-matmul' },
  ])('int8 ($int8Kernel)', (options) => {
    const bytes = buildDistilBertOnnx(weights, options);

    it('stays close to the fp32 reference', async () => {
      const [logits] = await runLogits(bytes, [LONG], [LONG.map(() => 1)]);
      const reference = referenceLogits(
        weights,
        LONG,
        LONG.map(() => 1),
      );
      expect(maxAbsDiff(logits, reference)).toBeLessThan(0.1 * Math.max(...reference.map(Math.abs)));
    });

    it('masks padding (up to activation-quantization noise, whose scale spans the whole batch)', async () => {
      const [alone] = await runLogits(bytes, [SHORT], [SHORT.map(() => 1)]);
      const [inBatch] = await runLogits(bytes, BATCH_IDS, BATCH_MASK);
      expect(maxAbsDiff(alone, inBatch)).toBeLessThan(0.05 * Math.max(...alone.map(Math.abs)));
      // The noise comes from the shared scale, not the mask: a batch of identical rows changes nothing.
      const [twin] = await runLogits(bytes, [SHORT, SHORT], [SHORT.map(() => 1), SHORT.map(() => 1)]);
      expect(maxAbsDiff(alone, twin)).toBeLessThan(1e-6);
    });
  });
});
