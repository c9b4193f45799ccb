import { normaliseText } from '../src/ml/text-normaliser';
import { ComplaintCorpus, generateComplaint, tokenHistogram, whitespaceTokens } from './corpus';
import { createRng } from '../tools/model/seeded-random';

describe('ComplaintCorpus', () => {
  it('is fixed by its seed', () => {
    const a = new ComplaintCorpus(42);
    const b = new ComplaintCorpus(42);
    const first = Array.from({ length: 50 }, () => a.nextUnique().text);
    expect(Array.from({ length: 50 }, () => b.nextUnique().text)).toEqual(first);
    expect(ComplaintCorpus.sample(50, 42).map((c) => c.text)).toEqual(first);
    expect(ComplaintCorpus.sample(50, 43).map((c) => c.text)).not.toEqual(first);
  });

  it('never repeats a unique text, also after the service normalises it', () => {
    const texts = ComplaintCorpus.sample(5000).map((complaint) => normaliseText(complaint.text));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('covers every category and length, and short texts really are shorter', () => {
    const sample = ComplaintCorpus.sample(1000);
    expect(new Set(sample.map((c) => c.category))).toEqual(new Set(['product', 'delivery', 'staff', 'other']));
    expect(new Set(sample.map((c) => c.length))).toEqual(new Set(['short', 'medium', 'long']));
    const meanOf = (length: string): number => {
      const texts = sample.filter((c) => c.length === length).map((c) => whitespaceTokens(c.text));
      return texts.reduce((sum, n) => sum + n, 0) / texts.length;
    };
    expect(meanOf('short')).toBeLessThan(meanOf('medium'));
    expect(meanOf('medium')).toBeLessThan(meanOf('long'));
  });

  it('generates plain sentences without template placeholders', () => {
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      const { text } = generateComplaint(rng);
      expect(text).not.toMatch(/undefined|\{|\}/);
      expect(text).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('hands out answers and distinct e-mails for the later chat steps', () => {
    const corpus = new ComplaintCorpus();
    expect(corpus.answer().length).toBeGreaterThan(0);
    expect(corpus.email()).not.toBe(corpus.email());
    expect(corpus.email()).toMatch(/^participant\d+@example\.org$/);
  });
});

describe('whitespace token histogram', () => {
  it('counts whitespace-separated words', () => {
    expect(whitespaceTokens('  My  parcel\tnever\narrived. ')).toBe(4);
    expect(whitespaceTokens('   ')).toBe(0);
  });

  it('puts each text in exactly one inclusive bucket', () => {
    const words = (n: number): string => Array.from({ length: n }, () => 'w').join(' ');
    const histogram = tokenHistogram([words(1), words(8), words(9), words(16), words(200)], [8, 16]);
    expect(histogram.map((b) => [b.range, b.count])).toEqual([
      ['1-8', 2],
      ['9-16', 2],
      ['17+', 1],
    ]);
    expect(histogram.reduce((sum, b) => sum + b.share, 0)).toBeCloseTo(1);
  });
});
