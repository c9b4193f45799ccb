/**
 * Builds a BERT-style WordPiece vocabulary from the training text (written out by ../tokenizer-files.writer.ts, so
 * transformers.js and Python `tokenizers` load it as a lower-casing, accent-stripping BertTokenizer).
 *
 * The normaliser and pre-tokeniser here mirror transformers.js's BertNormalizer / BertPreTokenizer; they are used
 * only to COUNT words. Encoding for training goes through transformers.js itself (see ../tokenizer-encoder.ts), so
 * training and inference cannot drift apart.
 */
import {
  ASCII_LETTERS,
  byScoreThenText,
  CONTINUATION_PREFIX,
  countPieces,
  DIGITS,
  SPECIAL_TOKENS,
  TokenList,
} from '../wordpiece';

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

/** Letters and digits typed by users: always present so a typo can never become [UNK]. */
const ALWAYS_CHARS = ASCII_LETTERS + DIGITS;

/**
 * Vocabulary = specials, then every character (and `##`+character) seen or ASCII alphanumeric, then the most
 * frequent whole words, then the most frequent word-initial and `##` continuation pieces. Unknown words, typos
 * included, decompose into pieces instead of becoming [UNK]. Returns tokens in id order ([PAD] = 0).
 */
export function buildWordPieceVocab(texts: Iterable<string>, options: Partial<WordPieceVocabOptions> = {}): string[] {
  const opts = { ...DEFAULT_VOCAB_OPTIONS, ...options };
  const wordCounts = countWords(texts);
  const vocab = new TokenList(opts.maxVocabSize);
  SPECIAL_TOKENS.forEach((token) => vocab.add(token));

  const charCounts = new Map<string, number>();
  for (const char of ALWAYS_CHARS) charCounts.set(char, 0);
  for (const [word, count] of wordCounts) {
    for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + count);
  }
  const chars = [...charCounts.entries()].sort(byScoreThenText).map(([char]) => char);
  if (SPECIAL_TOKENS.length + chars.length * 2 > opts.maxVocabSize) {
    throw new Error(`maxVocabSize ${opts.maxVocabSize} cannot hold the ${chars.length} characters of the corpus`);
  }
  for (const char of chars) vocab.add(char);
  for (const char of chars) vocab.add(CONTINUATION_PREFIX + char);

  const budget = opts.maxVocabSize - vocab.size;
  const wordBudget = Math.floor(budget * opts.wordShare);
  const words = [...wordCounts.entries()]
    .filter(([word, count]) => count >= opts.minWordCount && [...word].length > 1)
    .sort(byScoreThenText)
    .slice(0, wordBudget);
  for (const [word] of words) vocab.add(word);

  // Pieces weighted by word frequency; longer pieces score higher because one long match replaces several short ones.
  const pieces = [...countPieces(wordCounts, opts.maxPieceLength).entries()]
    .filter(([piece, count]) => count >= opts.minPieceCount && !vocab.has(piece))
    .map(([piece, count]): [string, number] => [piece, count * Math.sqrt([...piece].length)])
    .sort(byScoreThenText);
  for (const [piece] of pieces) {
    if (vocab.size >= opts.maxVocabSize) break;
    vocab.add(piece);
  }
  return vocab.tokens;
}
