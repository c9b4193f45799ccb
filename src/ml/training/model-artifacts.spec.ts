import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CombotModelInfo, createModelConfig, createNotice, swapInModelDirectory } from './model-artifacts';

const info: CombotModelInfo = {
  revision: 'abcdef123456',
  trainedAt: '2026-01-01T00:00:00.000Z',
  dataSha256: '0'.repeat(64),
  seed: 42,
  profile: 'full',
  vocabSize: 100,
  embeddingDim: 8,
  hiddenDim: 4,
  maxLength: 128,
  architecture: 'test',
  epochsRun: 3,
  bestEpoch: 2,
};

describe('model artifacts', () => {
  it('writes a BERT-typed sequence-classification config with the four labels and fp32 dtype', () => {
    const config = createModelConfig(info);
    expect(config).toMatchObject({
      model_type: 'bert',
      architectures: ['BertForSequenceClassification'],
      id2label: { '0': 'A', '1': 'B', '2': 'C', '3': 'Other' },
      label2id: { A: 0, B: 1, C: 2, Other: 3 },
      'transformers.js_config': { dtype: 'fp32' },
      combot: info,
    });
  });

  it('names every open dataset used and the project data in NOTICE', () => {
    const notice = createNotice({
      projectFiles: ['data/training/complaints-A.jsonl'],
      openDataFiles: [
        '../shared/data/complaints/clinc150.jsonl',
        '../shared/data/complaints/bitext.jsonl',
        'x/hint3.jsonl',
      ],
    });
    expect(notice).toMatch(/data\/training\/complaints-A\.jsonl/);
    expect(notice).toMatch(/CLINC150.*CC BY 3\.0/s);
    expect(notice).toMatch(/Larson et al/);
    expect(notice).toMatch(/Bitext.*CDLA-Sharing-1\.0/s);
    expect(notice).toMatch(/HINT3.*ODbL/s);
    expect(notice).toMatch(/Arora et al/);
    expect(notice).toMatch(/Produced Work/);
    expect(createNotice({ projectFiles: ['a'], openDataFiles: [] })).toMatch(/No open dataset/);
  });

  describe('swapInModelDirectory', () => {
    let root: string;
    beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'combot-artifacts-'))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('replaces a previous model directory', () => {
      const target = join(root, 'model');
      const staging = join(root, 'model.staging');
      mkdirSync(target);
      writeFileSync(join(target, 'config.json'), '{"combot":{}}');
      writeFileSync(join(target, 'stale.onnx'), '');
      mkdirSync(staging);
      writeFileSync(join(staging, 'config.json'), '{"combot":{"revision":"new"}}');
      swapInModelDirectory(staging, target);
      expect(readFileSync(join(target, 'config.json'), 'utf8')).toMatch(/new/);
      expect(existsSync(join(target, 'stale.onnx'))).toBe(false);
      expect(existsSync(staging)).toBe(false);
    });

    it('refuses to delete a non-empty directory that is not a Combot model', () => {
      const target = join(root, 'precious');
      mkdirSync(target);
      writeFileSync(join(target, 'notes.txt'), 'keep me');
      mkdirSync(join(root, 'staging'));
      expect(() => swapInModelDirectory(join(root, 'staging'), target)).toThrow(/refusing/);
      expect(existsSync(join(target, 'notes.txt'))).toBe(true);
    });
  });
});
