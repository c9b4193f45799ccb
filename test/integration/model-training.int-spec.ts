/**
 * Trains a `--small` complaint classifier from the project's own data (data/training, or
 * COMBOT_TRAINING_DATA_DIR) into a temporary directory and loads it the way the application does:
 * transformers.js `pipeline('text-classification', …)` with local models only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

// Jest gives each test file its own V8 realm, but onnxruntime-node hands back typed arrays of the main realm,
// which fail onnxruntime-common's `instanceof Float32Array` checks. Use the main realm's constructors before
// onnxruntime is loaded (it captures them at load time), hence the dynamic imports below.
for (const name of ['Float32Array', 'Int32Array', 'BigInt64Array', 'Uint8Array']) {
  (globalThis as Record<string, unknown>)[name] = runInThisContext(name);
}

type Transformers = typeof import('@huggingface/transformers');
type TrainModule = typeof import('../../tools/model/classifier/train-model');

const MODEL_ID = 'combot-complaint-classifier';

const obvious: { text: string; label: string }[] = [
  { text: 'The blender I bought is broken and does not turn on', label: 'A' },
  { text: 'The product stopped working after two days, it is defective', label: 'A' },
  { text: 'My package never arrived, the delivery is two weeks late', label: 'B' },
  { text: 'The courier lost my parcel and the tracking is not updating', label: 'B' },
  { text: 'The employee at the counter was very rude to me', label: 'C' },
  { text: 'Your staff member insulted me and was disrespectful', label: 'C' },
  { text: 'What are your opening hours on Saturday?', label: 'Other' },
  { text: 'How do I change the email address on my account?', label: 'Other' },
];

describe('complaint classifier training (small)', () => {
  let transformers: Transformers;
  let training: TrainModule;
  let root: string;
  let modelDir: string;

  beforeAll(async () => {
    transformers = await import('@huggingface/transformers');
    training = await import('../../tools/model/classifier/train-model');
    root = mkdtempSync(join(tmpdir(), 'combot-model-'));
    modelDir = join(root, MODEL_ID);
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('trains from data/training and writes a complete model directory', async () => {
    const result = await training.trainModel({
      outDir: modelDir,
      dataDir: process.env.COMBOT_TRAINING_DATA_DIR ?? join(__dirname, '..', '..', 'data', 'training'),
      sharedDir: null,
      seed: 42,
      small: true,
    });
    for (const file of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model.onnx',
      'metrics.json',
      'NOTICE',
    ]) {
      expect(existsSync(join(modelDir, file))).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8'));
    expect(metrics.revision).toBe(result.revision);
    expect(metrics.heldOut.macroF1).toBeGreaterThan(0.5); // chance is 0.25
    const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
    expect(config.id2label).toEqual({ 0: 'A', 1: 'B', 2: 'C', 3: 'Other' });
    expect(config.combot.revision).toBe(result.revision);
  }, 60_000);

  it('loads through transformers.js pipeline() from local files and classifies obvious examples', async () => {
    const { env, pipeline } = transformers;
    env.localModelPath = `${root}/`;
    env.allowRemoteModels = false;
    const classifier = await pipeline('text-classification', MODEL_ID);
    try {
      const outputs = (await classifier(obvious.map((o) => o.text))) as { label: string; score: number }[];
      const correct = outputs.filter((output, i) => output.label === obvious[i].label).length;
      expect(correct).toBeGreaterThanOrEqual(6); // of 8; chance would be 2
      const single = (await classifier('my order never came')) as { label: string; score: number }[];
      expect(single).toHaveLength(1);
      expect(['A', 'B', 'C', 'Other']).toContain(single[0].label);
      expect(single[0].score).toBeGreaterThan(0.25);
    } finally {
      await classifier.dispose();
    }
  }, 60_000);
});
