/**
 * Builds a BERT-style WordPiece vocabulary from the training text and writes it in the Hugging Face
 * `tokenizer.json` / `tokenizer_config.json` format, so transformers.js (and Python `tokenizers`) load it as a
 * lower-casing, accent-stripping BertTokenizer.
 *
 * The normaliser and pre-tokeniser here mirror transformers.js's BertNormalizer / BertPreTokenizer; they are used
 * only to COUNT words. Encoding for training goes through transformers.js itself (see tokenizer-encoder.ts), so
 * training and inference cannot drift apart.
 */

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0;
export const CONTINUATION_PREFIX = '##';

export interface WordPieceVocabOptions {
  /** Upper bound on the vocabulary, special tokens and characters included. */
  maxVocabSize: number;
  /** A whole word enters the vocabulary only if seen this often; rarer words are split into pieces. */
  minWordCount: number;
  /** A sub-word piece enters only if this many word occurrences contain it. */
  minPieceCount: number;
  /** Share of the budget left after specials and characters that goes to whole words (the rest to pieces). */
  wordShare: number;
  maxPieceLength: number;
}

export const DEFAULT_VOCAB_OPTIONS: WordPieceVocabOptions = {
  maxVocabSize: 8000,
  minWordCount: 2,
  minPieceCount: 3,
  wordShare: 0.55,
  maxPieceLength: 8,
};

// Same class as transformers.js's PUNCTUATION_REGEX: Unicode punctuation plus every ASCII symbol.
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN_PATTERN = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
const CONTROL_CHAR = /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;

function isChineseCodePoint(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents). */
export function normalizeBert(text: string): string {
  const out: string[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp === 0 || cp === 0xfffd) continue;
    if (char !== '\t' && char !== '\n' && char !== '\r' && CONTROL_CHAR.test(char)) continue;
    if (/^\s$/u.test(char)) out.push(' ');
    else if (isChineseCodePoint(cp)) out.push(' ', char, ' ');
    else out.push(char);
  }
  return out
    .join('')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
}

/** BertPreTokenizer: runs of non-space non-punctuation, and each punctuation character alone. */
export function preTokenizeBert(normalized: string): string[] {
  return normalized.trim().match(PRE_TOKEN_PATTERN) ?? [];
}

function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of preTokenizeBert(normalizeBert(text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Deterministic order: most frequent first, ties by code-unit order. */
function byCountThenText(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** Letters and digits typed by users: always present so a typo can never become [UNK]. */
const ALWAYS_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Vocabulary = specials, then every character (and `##`+character) seen or ASCII alphanumeric, then the most
 * frequent whole words, then the most frequent word-initial and `##` continuation pieces. Unknown words, typos
 * included, decompose into pieces instead of becoming [UNK]. Returns tokens in id order ([PAD] = 0).
 */
export function buildWordPieceVocab(texts: Iterable<string>, options: Partial<WordPieceVocabOptions> = {}): string[] {
  const opts = { ...DEFAULT_VOCAB_OPTIONS, ...options };
  const wordCounts = countWords(texts);
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const add = (token: string): void => {
    if (!seen.has(token) && vocab.length < opts.maxVocabSize) {
      seen.add(token);
      vocab.push(token);
    }
  };

  const charCounts = new Map<string, number>();
  for (const char of ALWAYS_CHARS) charCounts.set(char, 0);
  for (const [word, count] of wordCounts) {
    for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + count);
  }
  const chars = [...charCounts.entries()].sort(byCountThenText).map(([char]) => char);
  if (SPECIAL_TOKENS.length + chars.length * 2 > opts.maxVocabSize) {
    throw new Error(`maxVocabSize ${opts.maxVocabSize} cannot hold the ${chars.length} characters of the corpus`);
  }
  for (const char of chars) add(char);
  for (const char of chars) add(CONTINUATION_PREFIX + char);

  const budget = opts.maxVocabSize - vocab.length;
  const wordBudget = Math.floor(budget * opts.wordShare);
  const words = [...wordCounts.entries()]
    .filter(([word, count]) => count >= opts.minWordCount && [...word].length > 1)
    .sort(byCountThenText)
    .slice(0, wordBudget);
  for (const [word] of words) add(word);

  // Pieces: every prefix and every inner/final substring (as ##piece) of length 2..maxPieceLength, weighted by
  // word frequency. Longer pieces score higher because one long match replaces several short ones.
  const pieceCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    const letters = [...word];
    for (let start = 0; start < letters.length; start++) {
      for (let length = 2; length <= opts.maxPieceLength && start + length <= letters.length; length++) {
        if (start === 0 && length === letters.length) continue; // that is the whole word
        const body = letters.slice(start, start + length).join('');
        const piece = start === 0 ? body : CONTINUATION_PREFIX + body;
        pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + count);
      }
    }
  }
  const pieces = [...pieceCounts.entries()]
    .filter(([piece, count]) => count >= opts.minPieceCount && !seen.has(piece))
    .map(([piece, count]): [string, number] => [piece, count * Math.sqrt([...piece].length)])
    .sort(byCountThenText);
  for (const [piece] of pieces) {
    if (vocab.length >= opts.maxVocabSize) break;
    add(piece);
  }
  return vocab;
}

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

function addedToken(id: number, content: string): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** The two files a BertTokenizer needs; `maxLength` becomes model_max_length (the truncation length). */
export function createTokenizerFiles(vocab: readonly string[], maxLength: number): TokenizerFiles {
  SPECIAL_TOKENS.forEach((token, id) => {
    if (vocab[id] !== token) throw new Error(`vocab[${id}] must be ${token}`);
  });
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (token: string): Record<string, unknown> => ({ id: token, ids: [ids[token]], tokens: [token] });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token, id) => addedToken(id, token)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: true,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
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
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: true,
    tokenize_chinese_chars: true,
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
