/**
 * Golden hashes of what the two model toolkits write for a fixed seed. A model's revision (the app's result-cache
 * key) is the hash of its ONNX file, and benchmark figures are only comparable between runs on the same bytes, so
 * any change to these bytes has to be deliberate: update the hash here, and for the DistilBERT-shaped model bump
 * GENERATOR_VERSION so cached folders are regenerated.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildDistilBertOnnx, Precision } from './distilbert/distilbert-graph';
import { createRandomWeights, TINY_DIMS } from './distilbert/distilbert-weights';
import { buildVocabulary } from './distilbert/english-vocab.builder';
import { generateModelFolder, GENERATOR_VERSION, SEED } from './distilbert/generate-distilbert';
import { jsonText, sha256Hex } from './model-folder';
import { useMainRealmTypedArrays } from './onnxruntime-in-jest';
import { createTokenizerFiles, DISTILBERT_UNCASED } from './tokenizer-files.writer';

// The classifier's training evaluates through transformers.js, i.e. onnxruntime-node: hence the dynamic import below.
useMainRealmTypedArrays();

const REPO = join(__dirname, '..', '..');

/** Relative path → sha256 of every file below `dir`. */
function hashFolder(dir: string, hashes: Record<string, string> = {}, top = dir): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashFolder(path, hashes, top);
    else hashes[relative(top, path)] = sha256Hex(readFileSync(path));
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
    const { trainModel } = await import('./classifier/train-model');
    const outDir = join(root, 'combot-complaint-classifier');
    await trainModel({ outDir, dataDir: join('data', 'training'), sharedDir: null, seed: 42, small: true });
    expect(hashFolder(outDir)).toEqual({
      NOTICE: '81187259fb8510953435093f129872f94e8adece5150f75a81de2c956b759dd1',
      'config.json': '1804a7f6f9949418867fd80e53204b39f31e596dcb817e386683f12dd48d2913',
      'metrics.json': '069a3c2f8d90e2d961f80f2972e28adf35935633b93f43a6a3d4e8d3dcb1cadc',
      'onnx/model.onnx': '90a0199fc06e4f029c78b4df580bac9f625ccf3c9f279d5460b482cf8bd100fe',
      'tokenizer.json': '659521dc7a2ce750774a020767e39eaabaf9a5ab857fa48cbe795e265eed8869',
      'tokenizer_config.json': '0b23fe41ed02c04b465ba8f4c444702b63022484f223ff595548e42a4375fff8',
    });
  }, 60_000);
});

describe('DistilBERT-shaped benchmark model (tiny dims, generator seed)', () => {
  const weights = createRandomWeights(TINY_DIMS, SEED);
  const metadata = { benchmark_only: 'true', random_weights: 'true', generator_version: String(GENERATOR_VERSION) };

  it('builds byte-identical graphs, fp32 and int8 (both int8 kernels)', () => {
    expect(sha256Hex(buildDistilBertOnnx(weights, { precision: 'fp32', metadata }))).toBe(
      '7cf3129ae815d1341ac251c2a01ac49affefd4b42cf308ec8efd7f86341bb1e7',
    );
    expect(sha256Hex(buildDistilBertOnnx(weights, { precision: 'int8', metadata }))).toBe(
      'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
    );
    expect(
      sha256Hex(buildDistilBertOnnx(weights, { precision: 'int8', int8Kernel: 'dynamic-quantize-matmul', metadata })),
    ).toBe('d09d5054159eb2f0e3588e4a0e0da02469d81a2daa15919e0f4150f73a6e6edf');
  });

  it('writes byte-identical tokenizer files for the full 30,522-token vocabulary', () => {
    const vocab = buildVocabulary();
    const files = createTokenizerFiles(vocab, 512, DISTILBERT_UNCASED);
    expect(sha256Hex(vocab.join('\n'))).toBe('bab7901988a30ac9b1621674d806eebf639d18923cb745e0145a89e6b9cf0826');
    expect(sha256Hex(JSON.stringify(files.tokenizerJson))).toBe(
      'fe037e13b3150b82cfcf594b80196b962984c3527f2e63a5f4457db9ddd62297',
    );
    expect(sha256Hex(jsonText(files.tokenizerConfig))).toBe(
      '24d2fcb99315368dd796fc1dcfc0c2e669cd9574938dabc36f4155150e361a2f',
    );
  });

  // README.txt names the generator's source file and the stamp records README.txt's size: both change if that file
  // moves, while the ONNX, config and tokenizer files must not.
  it.each<[Precision, Record<string, string>]>([
    [
      'fp32',
      {
        '.generator-stamp.json': '882087a99c83340b371da16c0b5442f4b2121e58fd8a1c733302d43582e60708',
        'README.txt': 'c67e432d68792f09222a6a674ac78501281202e3fe3a8a8004d9ddc6be4b72f8',
        'config.json': '867535926c96262d77453c3809d09ce4e32b6ffe8044da0118571a49a2deb4a2',
        'onnx/model.onnx': '7cf3129ae815d1341ac251c2a01ac49affefd4b42cf308ec8efd7f86341bb1e7',
        'tokenizer.json': '6951b42881131f2e000c87b7e37e50c53e82da8034e413ab691f7d06ed2b3388',
        'tokenizer_config.json': 'a578d6d2d52820f18118bc0879d089038b7a39452a91033096bdeae0da097375',
      },
    ],
    [
      'int8',
      {
        '.generator-stamp.json': '8d68fbff9918a3324951b65f693a888f17465868b86cae797873690c1c05b9a9',
        'README.txt': '6e8545a590f1d0f4e173ac028c6d61da6fdbcc9348942e70c764f0dfae19f2d6',
        'config.json': 'f54561ed982e1c50ff223be8d6d553ba9a8080836aefc4ce2de95226456ba1b0',
        'onnx/model.onnx': 'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
        'onnx/model_quantized.onnx': 'dc22bcdcd2fe35e697df6cddb4b077ee297bd573c196073e09621515c2bee4ef',
        'tokenizer.json': '6951b42881131f2e000c87b7e37e50c53e82da8034e413ab691f7d06ed2b3388',
        'tokenizer_config.json': 'a578d6d2d52820f18118bc0879d089038b7a39452a91033096bdeae0da097375',
      },
    ],
  ])('writes a byte-identical %s model folder', (precision, expected) => {
    const key = { generatorVersion: GENERATOR_VERSION, seed: SEED, precision, dims: TINY_DIMS };
    const outDir = join(root, 'distilbert');
    generateModelFolder(precision, key, weights, buildVocabulary(TINY_DIMS.vocabSize), outDir, `tiny-${precision}`);
    expect(hashFolder(join(outDir, `tiny-${precision}`))).toEqual(expected);
  });
});
