import { onnx } from 'onnx-proto';
import { Ort, useMainRealmTypedArrays } from '../onnxruntime-in-jest';
import { writeClassifierOnnx } from './onnx-classifier.writer';
import { ClassifierWeights, predictLogits } from './text-classifier.trainer';

useMainRealmTypedArrays();
let ort: Ort;
beforeAll(async () => {
  ort = await import('onnxruntime-node');
});

/** Small hand-made weights: embedding rows are one-hot-ish so the expected logits can be checked by hand. */
function knownWeights(hiddenDim: number): ClassifierWeights {
  const vocabSize = 6;
  const embeddingDim = 2;
  const numClasses = 4;
  // row i = [i, -i]
  const embedding = Float32Array.from(
    { length: vocabSize * embeddingDim },
    (_, k) => (k % 2 === 0 ? 1 : -1) * Math.floor(k / 2),
  );
  const width = hiddenDim > 0 ? hiddenDim : embeddingDim;
  return {
    vocabSize,
    embeddingDim,
    hiddenDim,
    numClasses,
    embedding,
    hiddenWeight: Float32Array.from({ length: embeddingDim * hiddenDim }, (_, k) => (k % 3) - 0.5),
    hiddenBias: Float32Array.from({ length: hiddenDim }, (_, k) => 0.1 * k),
    outputWeight: Float32Array.from({ length: width * numClasses }, (_, k) => Math.cos(k)),
    outputBias: Float32Array.of(0.5, -0.5, 0.25, 0),
  };
}

function int64(rows: number[][]): InstanceType<Ort['Tensor']> {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
}

async function run(bytes: Uint8Array, ids: number[][], mask: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask) });
    expect(out.logits.dims).toEqual([ids.length, 4]);
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('writeClassifierOnnx', () => {
  it('declares input_ids + attention_mask (int64) and logits, at opset 13', async () => {
    const bytes = writeClassifierOnnx(knownWeights(3));
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.opsetImport[0].version)).toBe(13);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['logits']);
    await session.release();
  });

  it('without a hidden layer gives hand-computed logits: W·mean(embeddings) + b', async () => {
    const weights = knownWeights(0);
    // tokens 2 and 4 → mean embedding [3, -3]; logits[c] = 3·W[0][c] − 3·W[1][c] + b[c]
    const expected = [0, 1, 2, 3].map(
      (c) => 3 * weights.outputWeight[c] - 3 * weights.outputWeight[4 + c] + weights.outputBias[c],
    );
    const logits = await run(writeClassifierOnnx(weights), [[2, 4]], [[1, 1]]);
    expected.forEach((value, c) => expect(logits[c]).toBeCloseTo(value, 5));
  });

  it('with a hidden layer matches the trainer forward pass, ignoring padded positions', async () => {
    const weights = knownWeights(3);
    const logits = await run(
      writeClassifierOnnx(weights),
      [
        [1, 5, 3, 0, 0],
        [2, 4, 4, 4, 1],
      ],
      [
        [1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1],
      ],
    );
    const expected = [...predictLogits(weights, [1, 5, 3]), ...predictLogits(weights, [2, 4, 4, 4, 1])];
    expected.forEach((value, k) => expect(logits[k]).toBeCloseTo(value, 5));
  });

  it('writes identical bytes for identical weights', () => {
    expect(Buffer.from(writeClassifierOnnx(knownWeights(3), { seed: '1' }))).toEqual(
      Buffer.from(writeClassifierOnnx(knownWeights(3), { seed: '1' })),
    );
  });
});
