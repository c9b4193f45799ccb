import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../seeded-random';
import { dedupeRows, LabelledText, loadTrainingData, readJsonlFile, stratifiedSplit } from './training-data';

const row = (text: string, label: LabelledText['label'], origin = 'project'): LabelledText => ({ text, label, origin });

describe('training data', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'combot-training-data-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeJsonl = (path: string, rows: object[]): void =>
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

  it('reads JSONL rows and fails with file:line on a bad label or bad JSON', () => {
    const file = join(dir, 'a.jsonl');
    writeJsonl(file, [
      { text: ' broken lid ', label: 'A' },
      { text: '', label: 'B' },
    ]);
    expect(readJsonlFile(file, 'project')).toEqual([row('broken lid', 'A')]);
    writeFileSync(file, '{"text":"x","label":"A"}\n{"text":"y","label":"D"}\n');
    expect(() => readJsonlFile(file, 'project')).toThrow(/a\.jsonl:2: unknown label "D"/);
    writeFileSync(file, '{"text":\n');
    expect(() => readJsonlFile(file, 'project')).toThrow(/a\.jsonl:1: invalid JSON/);
  });

  it('dedupes ignoring case and spacing; project rows win over open data; contradictions on one side drop', () => {
    const result = dedupeRows([
      row('Where is my parcel?', 'B'),
      row('where  is my PARCEL?', 'B'),
      row('where is my parcel?', 'Other', 'clinc150'),
      row('rude staff', 'C'),
      row('Rude staff', 'A'),
      row('hello', 'Other', 'clinc150'),
      row('HELLO', 'B', 'bitext'),
    ]);
    expect(result.rows).toEqual([row('Where is my parcel?', 'B')]);
    expect(result.duplicates).toBe(4);
    expect(result.conflicts).toBe(2);
  });

  it('splits each stratum in proportion, deterministically, without losing or duplicating rows', () => {
    const items = [
      ...Array.from({ length: 100 }, (_, i) => ({ id: i, label: 'Other' })),
      ...Array.from({ length: 20 }, (_, i) => ({ id: 100 + i, label: 'A' })),
      { id: 999, label: 'C' },
    ];
    const split = stratifiedSplit(items, 0.15, createRng(1), (x) => x.label);
    expect(split.second.filter((x) => x.label === 'Other')).toHaveLength(15);
    expect(split.second.filter((x) => x.label === 'A')).toHaveLength(3);
    expect(split.first.map((x) => x.id)).toContain(999); // a stratum of one stays in training
    expect([...split.first, ...split.second].map((x) => x.id).sort((a, b) => a - b)).toEqual(items.map((x) => x.id));
    expect(stratifiedSplit(items, 0.15, createRng(1), (x) => x.label)).toEqual(split);
    expect(stratifiedSplit(items, 0.15, createRng(2), (x) => x.label)).not.toEqual(split);
  });

  it('loads project rows, samples open-data Other with the seed, and logs a missing open-data folder', () => {
    const own = join(dir, 'own');
    const shared = join(dir, 'shared');
    mkdirSync(own);
    mkdirSync(shared);
    writeJsonl(join(own, 'complaints-A.jsonl'), [{ text: 'the lid is broken', label: 'A' }]);
    writeJsonl(
      join(shared, 'clinc150.jsonl'),
      Array.from({ length: 30 }, (_, i) => ({ text: `question ${i}`, label: i < 3 ? 'B' : 'Other', source: 'x' })),
    );
    const options = { dataDir: own, sharedDir: shared, maxSharedOther: 10, log: () => undefined };
    const loaded = loadTrainingData({ ...options, rng: createRng(4) });
    expect(loaded.rows.filter((r) => r.origin === 'project')).toHaveLength(1);
    expect(loaded.rows.filter((r) => r.label === 'B')).toHaveLength(3);
    expect(loaded.rows.filter((r) => r.label === 'Other')).toHaveLength(10);
    expect(loaded.sharedOtherAvailable).toBe(27);
    expect(loaded.files.map((f) => f.origin)).toEqual(['project', 'clinc150']);
    expect(loadTrainingData({ ...options, rng: createRng(4) }).rows).toEqual(loaded.rows);

    const lines: string[] = [];
    const ownOnly = loadTrainingData({
      ...options,
      sharedDir: join(dir, 'absent'),
      rng: createRng(4),
      log: (l) => lines.push(l),
    });
    expect(ownOnly.rows).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/not found/);
  });

  it('fails when the project data is missing or empty', () => {
    const options = { sharedDir: null, maxSharedOther: 0, rng: createRng(1), log: () => undefined };
    expect(() => loadTrainingData({ ...options, dataDir: join(dir, 'nope') })).toThrow(/not found/);
    expect(() => loadTrainingData({ ...options, dataDir: dir })).toThrow(/no rows/);
  });
});
