/**
 * `tokenizer.json` + `tokenizer_config.json` of an uncased BERT WordPiece tokenizer, in the Hugging Face
 * `tokenizers` format that transformers.js (and Python `tokenizers`) load. Both toolkits write theirs here; the two
 * differ only in the tokenizer class and in whether accent stripping is stated or left to `lowercase`.
 */
import { CONTINUATION_PREFIX, SPECIAL_TOKENS } from './wordpiece';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

export interface TokenizerKind {
  tokenizerClass: 'BertTokenizer' | 'DistilBertTokenizer';
  /** BertNormalizer strip_accents: true states it; null leaves it to `lowercase`, which (being on) strips as well. */
  stripAccents: true | null;
}

/** The complaint classifier's tokenizer. */
export const BERT_UNCASED: TokenizerKind = { tokenizerClass: 'BertTokenizer', stripAccents: true };
/** What distilbert-base-uncased ships, imitated by the benchmark model. */
export const DISTILBERT_UNCASED: TokenizerKind = { tokenizerClass: 'DistilBertTokenizer', stripAccents: null };

function addedToken(id: number, content: string): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

function postProcessor(ids: Record<string, number>): Record<string, unknown> {
  const special = (token: string): Record<string, unknown> => ({ id: token, ids: [ids[token]], tokens: [token] });
  const cls = { SpecialToken: { id: '[CLS]', type_id: 0 } };
  return {
    type: 'TemplateProcessing',
    single: [cls, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [
      cls,
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
      { SpecialToken: { id: '[SEP]', type_id: 1 } },
    ],
    special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
  };
}

/**
 * The casing keys of tokenizer_config.json. Their order is part of the file's bytes, which published models pin:
 * a stated strip_accents precedes tokenize_chinese_chars, a null one follows it.
 */
function casingConfig(kind: TokenizerKind): Record<string, unknown> {
  return kind.stripAccents === null
    ? { do_lower_case: true, tokenize_chinese_chars: true, strip_accents: null }
    : { do_lower_case: true, strip_accents: kind.stripAccents, tokenize_chinese_chars: true };
}

/** The two files a BertTokenizer needs; `maxLength` becomes model_max_length, the length the pipeline truncates to. */
export function createTokenizerFiles(vocab: readonly string[], maxLength: number, kind: TokenizerKind): TokenizerFiles {
  SPECIAL_TOKENS.forEach((token, id) => {
    if (vocab[id] !== token) throw new Error(`vocab[${id}] must be ${token}`);
  });
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token, id) => addedToken(id, token)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: kind.stripAccents,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: postProcessor(ids),
    decoder: { type: 'WordPiece', prefix: CONTINUATION_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: kind.tokenizerClass,
    ...casingConfig(kind),
    model_max_length: maxLength,
    padding_side: 'right',
    truncation_side: 'right',
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    model_input_names: ['input_ids', 'attention_mask'],
    added_tokens_decoder: Object.fromEntries(
      SPECIAL_TOKENS.map((token, id) => {
        const { id: _id, ...rest } = addedToken(id, token);
        return [String(id), rest];
      }),
    ),
  };
  return { tokenizerJson, tokenizerConfig };
}
