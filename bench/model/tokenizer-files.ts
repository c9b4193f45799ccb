/**
 * `tokenizer.json` + `tokenizer_config.json` for an uncased BERT WordPiece tokenizer (what distilbert-base-uncased
 * ships), in the Hugging Face `tokenizers` format that transformers.js loads.
 */
import { CONTINUATION, SPECIAL_TOKENS } from './wordpiece-vocabulary';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

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

/** `maxLength` becomes model_max_length, the length the pipeline truncates to. */
export function createTokenizerFiles(vocab: readonly string[], maxLength: number): TokenizerFiles {
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
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: postProcessor(ids),
    decoder: { type: 'WordPiece', prefix: CONTINUATION, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: CONTINUATION,
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'DistilBertTokenizer',
    do_lower_case: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
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
