/**
 * Golden hashes of what the two model toolkits write for a fixed seed. A model's revision (the app's result-cache
 * key) is the hash of its ONNX file, and benchmark figures are only comparable between runs on the same bytes, so
 * any change to these bytes has to be deliberate: update the hash here, and for the DistilBERT-shaped model bump
 * GENERATOR_VERSION so cached folders are regenerated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runInThisContext } from 'node:vm';
import { buildDistilBertOnnx, Precision } from './distilbert-graph';
import { createRandomWeights, DistilBertDims } from './distilbert-weights';
import { generateModelFolder, GENERATOR_VERSION, SEED } from './generate-distilbert';
import { createTokenizerFiles } from './tokenizer-files';
import { buildVocabulary } from './wordpiece-vocabulary';

// The classifier's training evaluates through transformers.js, i.e. onnxruntime-node, which hands back typed arrays
// of the main V8 realm while Jest runs this file in its own: use the main realm's constructors before loading it.
for (const name of ['Float32Array', 'Int32Array', 'BigInt64Array', 'Uint8Array']) {
  (globalThis as Record<string, unknown>)[name] = runInThisContext(name);
}

const REPO = join(__dirname, '..', '..');

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Relative path → sha256 of every file below `dir`. */
function hashFolder(dir: string, hashes: Record<string, string> = {}, top = dir): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashFolder(path, hashes, top);
    else hashes[relative(top, path)] = sha256(readFileSync(path));
  }
  return hashes;
}

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'combot-golden-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('complaint classifier (--small, seed 42)', () => {
  // NOTICE and metrics.json name the data files relative to the working directory, and config.json's trainedAt
  // comes from SOURCE_DATE_EPOCH when set (else from file times, which differ between checkouts).
  const saved = { cwd: process.cwd(), sourceDateEpoch: process.env.SOURCE_DATE_EPOCH };
  beforeAll(() => {
    process.chdir(REPO);
    process.env.SOURCE_DATE_EPOCH = '1767225600';
  });
  afterAll(() => {
    process.chdir(saved.cwd);
    if (saved.sourceDateEpoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved.sourceDateEpoch;
  });

  it('trains from the committed data/training (a data change changes every hash below)', () => {
    expect(hashFolder(join(REPO, 'data', 'training'))).toEqual({
      'complaints-A.jsonl': 'd87db6cded821ecd8b4885625b69ebc5f04e493e00a60928e0366fa1fc97d157',
      'complaints-B.jsonl': 'a2a5bd63fa5c8d9b536e770d8c9036fb1350bde92a25d249034f2aca03059fad',
      'complaints-C.jsonl': '77f20a9629b3c0478219d79cfe5a98c7f994cc8ff62d007e39746872726d3017',
      'complaints-Other.jsonl': '2d1f0caa05220c51172bbdd1679817ef891000b67fd5387262fcccf45fd511af',
    });
  });

  it('writes byte-identical model files', async () => {
    const { trainModel } = await import('../../src/ml/training/train-model');
    const outDir = join(root, 'combot-complaint-classifier');
    await trainModel({ outDir, dataDir: join('data', 'training'), sharedDir: null, seed: 42, small: true });
    expect(hashFolder(outDir)).toEqual({
      NOTICE: '81187259fb8510953435093f129872f94e8adece5150f75a81de2c956b759dd1',
      'config.json': '1804a7f6f9949418867fd80e53204b39f31e596dcb817e386683f12dd48d2913',
      'metrics.json': '50607bed642e14827a804a270eead06cc3c26c1af9645622e642469d1cafae80',
      'onnx/model.onnx': '90a0199fc06e4f029c78b4df580bac9f625ccf3c9f279d5460b482cf8bd100fe',
      'tokenizer.json': '659521dc7a2ce750774a020767e39eaabaf9a5ab857fa48cbe795e265eed8869',
      'tokenizer_config.json': '0b23fe41ed02c04b465ba8f4c444702b63022484f223ff595548e42a4375fff8',
    });
  }, 60_000);
});

describe('DistilBERT-shaped benchmark model (tiny dims, generator seed)', () => {
  const TINY: DistilBertDims = {
    vocabSize: 100,
    maxPositions: 16,
    hidden: 32,
    heads: 2,
    ffn: 64,
    layers: 1,
    labels: ['A', 'B', 'C', 'Other'],
  };
  const weights = createRandomWeights(TINY, SEED);
  const metadata = { benchmark_only: 'true', random_weights: 'true', generator_version: String(GENERATOR_VERSION) };

  it('builds byte-identical graphs, fp32 and int8 (both int8 kernels)', () => {
    expect(sha256(buildDistilBertOnnx(weights, { precision: 'fp32', metadata }))).toBe(
      '7cf3129ae815d1341ac251c2a01ac49affefd4b42cf308ec8efd7f86341bb1e7',
    );
    expect(sha256(buildDistilBertOnnx(weights, { precision: 'int8', metadata }))).toBe(
      'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
    );
    expect(
      sha256(buildDistilBertOnnx(weights, { precision: 'int8', int8Kernel: 'dynamic-quantize-matmul', metadata })),
    ).toBe('d09d5054159eb2f0e3588e4a0e0da02469d81a2daa15919e0f4150f73a6e6edf');
  });

  it('writes byte-identical tokenizer files for the full 30,522-token vocabulary', () => {
    const vocab = buildVocabulary();
    const files = createTokenizerFiles(vocab, 512);
    expect(sha256(vocab.join('\n'))).toBe('bab7901988a30ac9b1621674d806eebf639d18923cb745e0145a89e6b9cf0826');
    expect(sha256(JSON.stringify(files.tokenizerJson))).toBe(
      'fe037e13b3150b82cfcf594b80196b962984c3527f2e63a5f4457db9ddd62297',
    );
    expect(sha256(JSON.stringify(files.tokenizerConfig, null, 2) + '\n')).toBe(
      '24d2fcb99315368dd796fc1dcfc0c2e669cd9574938dabc36f4155150e361a2f',
    );
  });

  it.each<[Precision, Record<string, string>]>([
    [
      'fp32',
      {
        '.generator-stamp.json': '448737a648594f163459d0ac383d6c5d089a4685340c33cffda8f7ef3078c507',
        'README.txt': '3387df97188e95849b4a7707e082b39a021431576c37ab16c1fe0dcd49993a09',
        'config.json': '867535926c96262d77453c3809d09ce4e32b6ffe8044da0118571a49a2deb4a2',
        'onnx/model.onnx': '7cf3129ae815d1341ac251c2a01ac49affefd4b42cf308ec8efd7f86341bb1e7',
        'tokenizer.json': '6951b42881131f2e000c87b7e37e50c53e82da8034e413ab691f7d06ed2b3388',
        'tokenizer_config.json': 'a578d6d2d52820f18118bc0879d089038b7a39452a91033096bdeae0da097375',
      },
    ],
    [
      'int8',
      {
        '.generator-stamp.json': '4a3947fc0449d583f252105894288c27175d745938c981f744af4f1468a7ee1b',
        'README.txt': '6de1c31bca6361738cfea510712ebb1291100d9e5a480f22ae3eb47f2e7d3abc',
        'config.json': 'f54561ed982e1c50ff223be8d6d553ba9a8080836aefc4ce2de95226456ba1b0',
        'onnx/model.onnx': 'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
        'onnx/model_quantized.onnx': 'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
        'tokenizer.json': '6951b42881131f2e000c87b7e37e50c53e82da8034e413ab691f7d06ed2b3388',
        'tokenizer_config.json': 'a578d6d2d52820f18118bc0879d089038b7a39452a91033096bdeae0da097375',
      },
    ],
  ])('writes a byte-identical %s model folder', (precision, expected) => {
    const key = { generatorVersion: GENERATOR_VERSION, seed: SEED, precision, dims: TINY };
    const outDir = join(root, 'distilbert');
    generateModelFolder(precision, key, weights, buildVocabulary(TINY.vocabSize), outDir, `tiny-${precision}`);
    expect(hashFolder(join(outDir, `tiny-${precision}`))).toEqual(expected);
  });
});
