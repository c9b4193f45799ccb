import { argmax, EncodedExample, predictLogits, trainTextClassifier, TrainerOptions } from './text-classifier.trainer';

// Vocabulary: 0 pad, 1 cls, 2 sep, 3..6 = a b c d. XOR over bags of tokens: {a,c} and {b,d} are class 0,
// {a,d} and {b,c} class 1. No linear function of the mean embedding separates this, so it tests the hidden layer.
const [A, B, C, D] = [3, 4, 5, 6];
const bag = (x: number, y: number): Int32Array => Int32Array.of(1, x, y, 2);
const xor: EncodedExample[] = [
  { ids: bag(A, C), label: 0 },
  { ids: bag(B, D), label: 0 },
  { ids: bag(A, D), label: 1 },
  { ids: bag(B, C), label: 1 },
];
const repeated = Array.from({ length: 8 }, () => xor).flat();

const options: TrainerOptions = {
  embeddingDim: 4,
  hiddenDim: 8,
  epochs: 150,
  batchSize: 4,
  learningRate: 0.02,
  classWeights: [1, 1],
  patience: 1000,
  selectBy: 'macroF1',
  tokenDropout: 0,
  firstRegularId: 3,
  seed: 5,
};

const accuracy = (weights: ReturnType<typeof trainTextClassifier>['weights']): number =>
  xor.filter((e) => argmax(predictLogits(weights, e.ids)) === e.label).length / xor.length;

describe('trainTextClassifier', () => {
  it('learns a task that needs the hidden layer, and the loss goes down', () => {
    const outcome = trainTextClassifier(repeated, xor, 7, options);
    expect(accuracy(outcome.weights)).toBe(1);
    const first = outcome.history[0].trainLoss;
    const last = outcome.history[outcome.history.length - 1].trainLoss;
    expect(last).toBeLessThan(first / 10);
  });

  it('cannot learn it without the hidden layer (bag-of-words is linear)', () => {
    const outcome = trainTextClassifier(repeated, xor, 7, { ...options, hiddenDim: 0 });
    expect(accuracy(outcome.weights)).toBeLessThan(1);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const a = trainTextClassifier(repeated, xor, 7, { ...options, epochs: 5 });
    const b = trainTextClassifier(repeated, xor, 7, { ...options, epochs: 5 });
    const c = trainTextClassifier(repeated, xor, 7, { ...options, epochs: 5, seed: 6 });
    expect(Buffer.from(a.weights.embedding.buffer)).toEqual(Buffer.from(b.weights.embedding.buffer));
    expect(Buffer.from(a.weights.outputWeight.buffer)).toEqual(Buffer.from(b.weights.outputWeight.buffer));
    expect(Buffer.from(a.weights.embedding.buffer)).not.toEqual(Buffer.from(c.weights.embedding.buffer));
  });

  it('keeps the [PAD] embedding at zero and stops early when validation stops improving', () => {
    const contradicting = xor.map((e) => ({ ...e, label: 1 - e.label })); // gets worse as training fits
    const outcome = trainTextClassifier(repeated, contradicting, 7, { ...options, patience: 3, epochs: 500 });
    expect(Array.from(outcome.weights.embedding.slice(0, 4))).toEqual([0, 0, 0, 0]);
    expect(outcome.history.length).toBeLessThan(500);
    expect(outcome.history.length - outcome.bestEpoch).toBeLessThanOrEqual(3);
    const byLoss = trainTextClassifier(repeated, contradicting, 7, {
      ...options,
      selectBy: 'loss',
      patience: 3,
      epochs: 500,
    });
    expect(byLoss.history.length).toBeLessThan(500);
    const losses = byLoss.history.map((h) => h.validationLoss);
    expect(losses[byLoss.bestEpoch - 1]).toBe(Math.min(...losses));
  });
});
