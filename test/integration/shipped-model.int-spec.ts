import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LABELS } from '../../src/ml/ml.types';
import { WorkerPoolRunner } from '../../src/ml/worker-pool.runner';

const REPO = path.resolve(__dirname, '..', '..');
const fixture = readFileSync(path.join(REPO, 'test', 'fixtures', 'clear-complaints.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { text: string; label: string });

/** The committed model, in an inference worker as the service runs it, on clear examples it never saw. */
describe('shipped model (models/combot-complaint-classifier)', () => {
  let runtime: WorkerPoolRunner;

  beforeAll(async () => {
    runtime = await WorkerPoolRunner.start(
      { id: 'combot-complaint-classifier', revision: 'main' },
      { modelsDir: path.join(REPO, 'models'), allowRemoteModels: false, intraOpThreads: 1, maxTokens: 128 },
      1,
    );
  }, 60_000);

  afterAll(() => runtime?.dispose());

  it('reports the revision written in its config (content hash)', () => {
    const config = JSON.parse(
      readFileSync(path.join(REPO, 'models', 'combot-complaint-classifier', 'config.json'), 'utf8'),
    );
    expect(runtime.revision).toBe(config.combot.revision);
  });

  it('has a held-out macro-F1 of at least 0.90 in metrics.json', () => {
    const metrics = JSON.parse(
      readFileSync(path.join(REPO, 'models', 'combot-complaint-classifier', 'metrics.json'), 'utf8'),
    );
    expect(metrics.heldOut?.macroF1 ?? metrics.macroF1).toBeGreaterThanOrEqual(0.9);
  });

  it('labels the clear examples right: at least 58 of 60, at least 13 of 15 in every class', async () => {
    const scores = await runtime.classify(fixture.map((row) => row.text));
    const predicted = scores.map((score) =>
      LABELS.reduce((best, label) => (score[label] > score[best] ? label : best)),
    );
    const rightByLabel = Object.fromEntries(
      LABELS.map((label) => [label, fixture.filter((row, i) => row.label === label && predicted[i] === label).length]),
    );
    const misses = fixture.flatMap((row, i) =>
      predicted[i] === row.label ? [] : [`${row.label}→${predicted[i]}: ${row.text}`],
    );
    for (const label of LABELS) expect(fixture.filter((row) => row.label === label)).toHaveLength(15);
    // The bar the shipped model meets today (58/60: two short `Other` complaints about noise and prices
    // read as A/C to a bag-of-words model). A failure lists every miss.
    expect(misses.length <= 2 ? [] : misses).toEqual([]);
    const weak = LABELS.filter((label) => rightByLabel[label] < 13).map(
      (label) => `${label}: ${rightByLabel[label]}/15 right; misses: ${misses.join(' | ')}`,
    );
    expect(weak).toEqual([]);
  });
});
