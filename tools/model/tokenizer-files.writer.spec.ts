import { TokenizerEncoder } from './tokenizer-encoder';
import { BERT_UNCASED, createTokenizerFiles, DISTILBERT_UNCASED, TokenizerKind } from './tokenizer-files.writer';
import { SPECIAL_TOKENS } from './wordpiece';

const vocab = [...SPECIAL_TOKENS, 'tres', 'late', 'par', '##cel', '##s', '!'];
const idOf = (token: string): number => vocab.indexOf(token);

describe('createTokenizerFiles', () => {
  it('rejects a vocabulary that does not start with the special tokens in BERT order', () => {
    expect(() => createTokenizerFiles(['[UNK]', '[PAD]', ...vocab.slice(2)], 8, BERT_UNCASED)).toThrow(
      /vocab\[0\] must be \[PAD\]/,
    );
  });

  it('names the tokenizer class and the truncation length', () => {
    const bert = createTokenizerFiles(vocab, 16, BERT_UNCASED).tokenizerConfig;
    const distilbert = createTokenizerFiles(vocab, 512, DISTILBERT_UNCASED).tokenizerConfig;
    expect(bert).toMatchObject({ tokenizer_class: 'BertTokenizer', strip_accents: true, model_max_length: 16 });
    expect(distilbert).toMatchObject({ tokenizer_class: 'DistilBertTokenizer', strip_accents: null });
    expect(distilbert.model_max_length).toBe(512);
  });

  describe.each<[string, TokenizerKind]>([
    ['BertTokenizer', BERT_UNCASED],
    ['DistilBertTokenizer', DISTILBERT_UNCASED],
  ])('%s through transformers.js', (_name, kind) => {
    const encoder = new TokenizerEncoder(createTokenizerFiles(vocab, 6, kind));

    it('lower-cases, strips accents and wraps the ids in [CLS] … [SEP]', () => {
      expect(Array.from(encoder.encode('TRÈS late!'))).toEqual(['[CLS]', 'tres', 'late', '!', '[SEP]'].map(idOf));
    });

    it('splits unknown words into ## pieces and truncates to model_max_length', () => {
      expect(encoder.tokenize('parcels')).toEqual(['par', '##cel', '##s']);
      expect(encoder.encode('late '.repeat(10))).toHaveLength(6);
    });
  });
});
