import { CombotModelInfo, createModelConfig, createNotice } from './model-artifacts';

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
});
