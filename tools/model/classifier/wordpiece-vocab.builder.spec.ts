import { TokenizerEncoder } from '../tokenizer-encoder';
import { BERT_UNCASED, createTokenizerFiles } from '../tokenizer-files.writer';
import { SPECIAL_TOKENS } from '../wordpiece';
import { buildWordPieceVocab, normalizeBert, preTokenizeBert } from './wordpiece-vocab.builder';

const corpus = [
  'My package was never delivered!',
  'The delivery is late, where is my package?',
  'The package arrived damaged.',
  'Delivered to the wrong address',
  'The product is broken and the screen is cracked',
  'The staff member was rude to me',
  'Rude staff at the counter, très impoli',
  'What are your opening hours?',
];

describe('WordPiece vocabulary builder', () => {
  const vocab = buildWordPieceVocab(corpus, { maxVocabSize: 400, minWordCount: 2, minPieceCount: 2 });

  it('starts with the special tokens, [PAD] = 0', () => {
    expect(vocab.slice(0, SPECIAL_TOKENS.length)).toEqual([...SPECIAL_TOKENS]);
  });

  it('holds every letter and digit, alone and as ## continuation, so typos decompose', () => {
    for (const char of 'abcdefghijklmnopqrstuvwxyz0123456789') {
      expect(vocab).toContain(char);
      expect(vocab).toContain(`##${char}`);
    }
    expect(vocab).toContain('e'); // from "très" after accent stripping
  });

  it('keeps frequent whole words, drops rare ones, and adds frequent pieces', () => {
    expect(vocab).toEqual(expect.arrayContaining(['package', 'the', 'rude', 'staff', 'delivered']));
    expect(vocab).not.toContain('counter'); // seen once
    expect(vocab).toContain('deliver'); // prefix of delivered / delivery
    expect(vocab.some((t) => t.startsWith('##') && t.length > 3)).toBe(true);
  });

  it('has no duplicates, respects the size bound and is deterministic', () => {
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(vocab.length).toBeLessThanOrEqual(400);
    expect(buildWordPieceVocab(corpus, { maxVocabSize: 400, minWordCount: 2, minPieceCount: 2 })).toEqual(vocab);
    expect(buildWordPieceVocab(corpus, { maxVocabSize: 120 }).length).toBeLessThanOrEqual(120);
  });

  it('normalises and pre-tokenises like BERT (lower case, accents stripped, punctuation split)', () => {
    expect(preTokenizeBert(normalizeBert("Très  IMPOLI!!  It's   late."))).toEqual([
      'tres',
      'impoli',
      '!',
      '!',
      'it',
      "'",
      's',
      'late',
      '.',
    ]);
  });

  describe('through transformers.js BertTokenizer', () => {
    const encoder = new TokenizerEncoder(createTokenizerFiles(vocab, 16, BERT_UNCASED));
    const idOf = (token: string): number => vocab.indexOf(token);

    it('gives the ids of our vocabulary with [CLS] … [SEP]', () => {
      expect(Array.from(encoder.encode('The PACKAGE was delivered'))).toEqual(
        ['[CLS]', 'the', 'package', 'was', 'delivered', '[SEP]'].map(idOf),
      );
    });

    it('splits a misspelt word into pieces instead of [UNK]', () => {
      const tokens = encoder.tokenize('pakcage deliverd');
      expect(tokens).not.toContain('[UNK]');
      expect(tokens.length).toBeGreaterThan(2);
      expect(tokens.slice(1).some((t) => t.startsWith('##'))).toBe(true);
    });

    it('matches our own normaliser + pre-tokeniser on word boundaries', () => {
      for (const text of [...corpus, 'Ünïcödé   “quotes” — and emoji 🙂 ok?', 'tabs\tand\nnewlines']) {
        const pieces = encoder.tokenize(text);
        const words = pieces.reduce<string[]>((acc, t) => {
          if (t.startsWith('##')) acc[acc.length - 1] += t.slice(2);
          else acc.push(t);
          return acc;
        }, []);
        const expected = preTokenizeBert(normalizeBert(text));
        expect(words).toHaveLength(expected.length);
        words.forEach((word, i) => expect(word === '[UNK]' ? expected[i] : word).toBe(expected[i]));
      }
    });

    it('truncates to model_max_length like the pipeline', () => {
      expect(encoder.encode('late '.repeat(40))).toHaveLength(16);
    });
  });
});
