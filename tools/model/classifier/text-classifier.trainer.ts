/**
 * A small bag-of-sub-words classifier trained in plain TypeScript:
 *   embedding lookup → masked mean over the tokens ([CLS]/[SEP] included: they act as a learned bias that
 *   shrinks with length) → dense + ReLU → dense → 4 logits.
 * The same maths is exported as ONNX by onnx-classifier.writer.ts. Trained with mini-batch Adam (lazy, row-wise
 * for the embedding, since a batch touches only a few hundred of its rows) on class-weighted softmax
 * cross-entropy, with early stopping on a validation part. Float64 while training, float32 when exported.
 */
import { macroF1 } from './classification-metrics';
import { deriveRng, gaussian, Rng, shuffleInPlace } from '../seeded-random';

export interface ClassifierShape {
  vocabSize: number;
  embeddingDim: number;
  /** 0 = no hidden layer (logits straight from the pooled embedding). */
  hiddenDim: number;
  numClasses: number;
}

/** Row-major weights: embedding [vocab, dim], hidden [dim, hidden], output [hidden or dim, classes]. */
export interface ClassifierWeights extends ClassifierShape {
  embedding: Float32Array;
  hiddenWeight: Float32Array;
  hiddenBias: Float32Array;
  outputWeight: Float32Array;
  outputBias: Float32Array;
}

export interface EncodedExample {
  ids: Int32Array;
  label: number;
}

export interface TrainerOptions {
  embeddingDim: number;
  hiddenDim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Multiplies the loss of each class (imbalance); length = numClasses. */
  classWeights: readonly number[];
  /** Stop after this many epochs without a better validation score. */
  patience: number;
  /** Which validation score picks the epoch: macro-F1 (ties → lower loss) or the class-weighted loss. */
  selectBy: 'macroF1' | 'loss';
  /** Probability of dropping each non-special token of a training example (never all of them). */
  tokenDropout: number;
  /** Ids below this are special tokens, never dropped. */
  firstRegularId: number;
  seed: number;
  /** Optional replacement encoding for an example in an epoch (e.g. a copy with a typo); null keeps the original. */
  augment?: (example: EncodedExample, rng: Rng) => Int32Array | null;
  log?: (line: string) => void;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationMacroF1: number;
}

export interface TrainingOutcome {
  weights: ClassifierWeights;
  history: EpochRecord[];
  bestEpoch: number;
}

interface Params {
  shape: ClassifierShape;
  embedding: Float64Array;
  hiddenWeight: Float64Array;
  hiddenBias: Float64Array;
  outputWeight: Float64Array;
  outputBias: Float64Array;
}

/** Activations of one forward pass, kept for the backward pass. */
interface Activations {
  pooled: Float64Array;
  hidden: Float64Array;
  logits: Float64Array;
}

function newActivations(shape: ClassifierShape): Activations {
  return {
    pooled: new Float64Array(shape.embeddingDim),
    hidden: new Float64Array(shape.hiddenDim),
    logits: new Float64Array(shape.numClasses),
  };
}

/** Input width of the output layer. */
function outputInputDim(shape: ClassifierShape): number {
  return shape.hiddenDim > 0 ? shape.hiddenDim : shape.embeddingDim;
}

type WeightArray = Float32Array | Float64Array;
interface WeightView {
  shape: ClassifierShape;
  embedding: WeightArray;
  hiddenWeight: WeightArray;
  hiddenBias: WeightArray;
  outputWeight: WeightArray;
  outputBias: WeightArray;
}

function forward(params: WeightView, ids: ArrayLike<number>, act: Activations): void {
  const { embeddingDim: dim, hiddenDim, numClasses } = params.shape;
  const { pooled, hidden, logits } = act;
  pooled.fill(0);
  const n = ids.length;
  for (let t = 0; t < n; t++) {
    const row = ids[t] * dim;
    for (let d = 0; d < dim; d++) pooled[d] += params.embedding[row + d];
  }
  const inv = 1 / Math.max(n, 1);
  for (let d = 0; d < dim; d++) pooled[d] *= inv;
  let features: Float64Array = pooled;
  if (hiddenDim > 0) {
    for (let h = 0; h < hiddenDim; h++) hidden[h] = params.hiddenBias[h];
    for (let d = 0; d < dim; d++) {
      const x = pooled[d];
      if (x === 0) continue;
      const row = d * hiddenDim;
      for (let h = 0; h < hiddenDim; h++) hidden[h] += x * params.hiddenWeight[row + h];
    }
    for (let h = 0; h < hiddenDim; h++) if (hidden[h] < 0) hidden[h] = 0;
    features = hidden;
  }
  const width = features.length;
  for (let c = 0; c < numClasses; c++) logits[c] = params.outputBias[c];
  for (let i = 0; i < width; i++) {
    const x = features[i];
    if (x === 0) continue;
    const row = i * numClasses;
    for (let c = 0; c < numClasses; c++) logits[c] += x * params.outputWeight[row + c];
  }
}

/** In-place softmax (max-shifted for stability). */
function softmaxInPlace(values: Float64Array): void {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.exp(values[i] - max);
    sum += values[i];
  }
  for (let i = 0; i < values.length; i++) values[i] /= sum;
}

/** Logits of one token-id sequence (no padding) with exported float32 weights: the reference for the ONNX graph. */
export function predictLogits(weights: ClassifierWeights, ids: ArrayLike<number>): Float64Array {
  const act = newActivations(weights);
  forward({ shape: weights, ...weights }, ids, act);
  return act.logits;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Adam state for one parameter array; `update` over a sub-range gives lazy row-wise updates for the embedding. */
class AdamSlot {
  readonly m: Float64Array;
  readonly v: Float64Array;
  constructor(
    readonly param: Float64Array,
    readonly grad: Float64Array,
  ) {
    this.m = new Float64Array(param.length);
    this.v = new Float64Array(param.length);
  }

  update(from: number, to: number, lr: number, step: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - Math.pow(b1, step);
    const c2 = 1 - Math.pow(b2, step);
    const { m, v, param, grad } = this;
    for (let i = from; i < to; i++) {
      const g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      param[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      grad[i] = 0;
    }
  }
}

function initParams(shape: ClassifierShape, rng: Rng): Params {
  const { vocabSize, embeddingDim, hiddenDim, numClasses } = shape;
  const embedding = new Float64Array(vocabSize * embeddingDim);
  for (let i = embeddingDim; i < embedding.length; i++) embedding[i] = gaussian(rng) * 0.1; // row 0 = [PAD] stays 0
  const hiddenWeight = new Float64Array(embeddingDim * hiddenDim);
  const hiddenScale = Math.sqrt(2 / embeddingDim);
  for (let i = 0; i < hiddenWeight.length; i++) hiddenWeight[i] = gaussian(rng) * hiddenScale;
  const width = outputInputDim(shape);
  const outputWeight = new Float64Array(width * numClasses);
  const outputScale = Math.sqrt(1 / width);
  for (let i = 0; i < outputWeight.length; i++) outputWeight[i] = gaussian(rng) * outputScale;
  return {
    shape,
    embedding,
    hiddenWeight,
    hiddenBias: new Float64Array(hiddenDim),
    outputWeight,
    outputBias: new Float64Array(numClasses),
  };
}

function toFloat32(params: Params): ClassifierWeights {
  return {
    ...params.shape,
    embedding: Float32Array.from(params.embedding),
    hiddenWeight: Float32Array.from(params.hiddenWeight),
    hiddenBias: Float32Array.from(params.hiddenBias),
    outputWeight: Float32Array.from(params.outputWeight),
    outputBias: Float32Array.from(params.outputBias),
  };
}

function evaluate(
  params: Params,
  examples: readonly EncodedExample[],
  classWeights: readonly number[],
): { loss: number; macroF1: number } {
  const act = newActivations(params.shape);
  let loss = 0;
  let weightSum = 0;
  const predicted: number[] = [];
  for (const example of examples) {
    forward(params, example.ids, act);
    predicted.push(argmax(act.logits));
    softmaxInPlace(act.logits);
    const w = classWeights[example.label];
    loss += w * -Math.log(Math.max(act.logits[example.label], 1e-12));
    weightSum += w;
  }
  return {
    loss: weightSum > 0 ? loss / weightSum : 0,
    macroF1: macroF1(
      examples.map((e) => e.label),
      predicted,
      params.shape.numClasses,
    ),
  };
}

function dropTokens(ids: Int32Array, rate: number, firstRegularId: number, rng: Rng): Int32Array {
  if (rate <= 0) return ids;
  const kept: number[] = [];
  let regularKept = 0;
  let regularTotal = 0;
  for (const id of ids) {
    if (id < firstRegularId) {
      kept.push(id);
      continue;
    }
    regularTotal++;
    if (rng() >= rate) {
      kept.push(id);
      regularKept++;
    }
  }
  return regularTotal > 0 && regularKept === 0 ? ids : Int32Array.from(kept);
}

export function trainTextClassifier(
  train: readonly EncodedExample[],
  validation: readonly EncodedExample[],
  vocabSize: number,
  options: TrainerOptions,
): TrainingOutcome {
  const numClasses = options.classWeights.length;
  const shape: ClassifierShape = {
    vocabSize,
    embeddingDim: options.embeddingDim,
    hiddenDim: options.hiddenDim,
    numClasses,
  };
  const params = initParams(shape, deriveRng(options.seed, 'init'));
  const orderRng = deriveRng(options.seed, 'order');
  const noiseRng = deriveRng(options.seed, 'noise');
  const dim = shape.embeddingDim;
  const hiddenDim = shape.hiddenDim;
  const width = outputInputDim(shape);

  const gradEmbedding = new Float64Array(params.embedding.length);
  const slots = {
    embedding: new AdamSlot(params.embedding, gradEmbedding),
    hiddenWeight: new AdamSlot(params.hiddenWeight, new Float64Array(params.hiddenWeight.length)),
    hiddenBias: new AdamSlot(params.hiddenBias, new Float64Array(params.hiddenBias.length)),
    outputWeight: new AdamSlot(params.outputWeight, new Float64Array(params.outputWeight.length)),
    outputBias: new AdamSlot(params.outputBias, new Float64Array(params.outputBias.length)),
  };
  const touched = new Uint8Array(vocabSize);
  const touchedRows: number[] = [];
  const act = newActivations(shape);
  const dLogits = new Float64Array(numClasses);
  const dFeatures = new Float64Array(width);
  const dPooled = new Float64Array(dim);

  const history: EpochRecord[] = [];
  let best: { epoch: number; macroF1: number; loss: number; weights: ClassifierWeights } | null = null;
  let step = 0;
  const order = train.map((_, i) => i);

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffleInPlace(order, orderRng);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      const scale = 1 / batch.length;
      for (const index of batch) {
        const example = train[index];
        const source = options.augment?.(example, noiseRng) ?? example.ids;
        const ids = dropTokens(source, options.tokenDropout, options.firstRegularId, noiseRng);
        forward(params, ids, act);
        softmaxInPlace(act.logits);
        const w = options.classWeights[example.label] * scale;
        epochLoss += options.classWeights[example.label] * -Math.log(Math.max(act.logits[example.label], 1e-12));

        // d(loss)/d(logits) = w · (softmax − one-hot)
        for (let c = 0; c < numClasses; c++) dLogits[c] = w * (act.logits[c] - (c === example.label ? 1 : 0));
        const features = hiddenDim > 0 ? act.hidden : act.pooled;
        const gOut = slots.outputWeight.grad;
        for (let i = 0; i < width; i++) {
          const x = features[i];
          let acc = 0;
          const row = i * numClasses;
          for (let c = 0; c < numClasses; c++) {
            gOut[row + c] += x * dLogits[c];
            acc += params.outputWeight[row + c] * dLogits[c];
          }
          dFeatures[i] = acc;
        }
        for (let c = 0; c < numClasses; c++) slots.outputBias.grad[c] += dLogits[c];

        if (hiddenDim > 0) {
          for (let h = 0; h < hiddenDim; h++) if (act.hidden[h] <= 0) dFeatures[h] = 0; // ReLU
          const gHidden = slots.hiddenWeight.grad;
          for (let d = 0; d < dim; d++) {
            const x = act.pooled[d];
            const row = d * hiddenDim;
            let acc = 0;
            for (let h = 0; h < hiddenDim; h++) {
              const g = dFeatures[h];
              gHidden[row + h] += x * g;
              acc += params.hiddenWeight[row + h] * g;
            }
            dPooled[d] = acc;
          }
          for (let h = 0; h < hiddenDim; h++) slots.hiddenBias.grad[h] += dFeatures[h];
        } else {
          dPooled.set(dFeatures);
        }

        const inv = 1 / Math.max(ids.length, 1);
        for (const id of ids) {
          if (!touched[id]) {
            touched[id] = 1;
            touchedRows.push(id);
          }
          const row = id * dim;
          for (let d = 0; d < dim; d++) gradEmbedding[row + d] += dPooled[d] * inv;
        }
      }

      step++;
      const lr = options.learningRate;
      for (const slot of [slots.hiddenWeight, slots.hiddenBias, slots.outputWeight, slots.outputBias]) {
        slot.update(0, slot.param.length, lr, step);
      }
      touchedRows.sort((a, b) => a - b);
      for (const id of touchedRows) {
        touched[id] = 0;
        if (id === 0) {
          gradEmbedding.fill(0, 0, dim); // [PAD] never carries information
          continue;
        }
        slots.embedding.update(id * dim, (id + 1) * dim, lr, step);
      }
      touchedRows.length = 0;
    }

    const trainLoss = epochLoss / Math.max(train.length, 1);
    const val = evaluate(params, validation.length > 0 ? validation : train, options.classWeights);
    history.push({ epoch, trainLoss, validationLoss: val.loss, validationMacroF1: val.macroF1 });
    options.log?.(
      `epoch ${epoch}: train loss ${trainLoss.toFixed(4)}, validation loss ${val.loss.toFixed(4)}, ` +
        `validation macro-F1 ${val.macroF1.toFixed(4)}`,
    );
    const better =
      best === null ||
      (options.selectBy === 'loss'
        ? val.loss < best.loss
        : val.macroF1 > best.macroF1 + 1e-9 || (val.macroF1 >= best.macroF1 - 1e-9 && val.loss < best.loss));
    if (better) {
      best = { epoch, macroF1: val.macroF1, loss: val.loss, weights: toFloat32(params) };
    } else if (epoch - (best?.epoch ?? 0) >= options.patience) {
      options.log?.(`early stop: no better validation ${options.selectBy} since epoch ${best?.epoch ?? 0}`);
      break;
    }
  }
  if (best === null) throw new Error('training ran no epoch');
  return { weights: best.weights, history, bestEpoch: best.epoch };
}
