/**
 * A deterministic ~30k-entry WordPiece vocabulary for the benchmark model, built without a corpus: common English
 * words and their rule-derived inflections as whole tokens, then characters, numbers, affixes, and the most
 * frequent sub-word pieces of those words. Ordinary English therefore tokenizes into about one token per word
 * (rarer words into a few pieces, never [UNK]), which is what makes sequence lengths, and so latency, realistic.
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
import { ADJECTIVES, DOMAIN_WORDS, FUNCTION_WORDS, IRREGULAR_FORMS, NOUNS, VERBS } from './english-words';

/** bert-base-uncased's size, so the embedding table has DistilBERT's real cost. */
export const DEFAULT_VOCAB_SIZE = 30522;
// Characters that survive BertNormalizer (lower-cased, accents stripped) in typical Western text.
const SYMBOLS = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~£€¥¢°§©®™•…–—‘’“”«»¿¡×÷½¼¾ßæøœłđ`;
const SUFFIXES =
  's es ed d ing ly er ers est ion ions tion tions ation ations ment ments ness able ible ful less ity ities ize ise ' +
  'ized ised izing ising al ally ous ive ship ism ist ists y ie ies ish ward wards like ance ence ant ent ic ical ' +
  'ery ory ary age ages hood dom th ty an ian ee ees or ors';
const PREFIXES = 'un re dis mis over under pre non anti auto co de ex inter multi out post semi sub super trans bi tri';
const MAX_PIECE_LENGTH = 6;

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => /^[a-z]+$/.test(w));
}

const VOWELS = /[aeiou]/g;

/** stop → stopp(ed), plan → plann(ing): one-syllable consonant-vowel-consonant words double the last letter. */
function stemForSuffix(word: string): string {
  const oneVowel = (word.match(VOWELS) ?? []).length === 1;
  return oneVowel && word.length <= 4 && /[^aeiou][aeiou][bdgklmnprt]$/.test(word) ? word + word.slice(-1) : word;
}

function plural(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

function pastTense(word: string): string {
  if (word.endsWith('e')) return `${word}d`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ied`;
  return `${stemForSuffix(word)}ed`;
}

function presentParticiple(word: string): string {
  if (word.endsWith('ie')) return `${word.slice(0, -2)}ying`;
  if (/[^aeiouy]e$/.test(word)) return `${word.slice(0, -1)}ing`;
  return `${stemForSuffix(word)}ing`;
}

function adverb(word: string): string {
  if (/[^aeiou]le$/.test(word)) return `${word.slice(0, -1)}y`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ily`;
  if (word.endsWith('ic')) return `${word}ally`;
  return `${word}ly`;
}

/** Comparatives only for short adjectives (big → bigger, nice → nicer); long ones use "more". */
function comparatives(word: string): string[] {
  if (word.length > 6) return [];
  if (/[^aeiou]y$/.test(word)) return [`${word.slice(0, -1)}ier`, `${word.slice(0, -1)}iest`];
  if (word.endsWith('e')) return [`${word}r`, `${word}st`];
  return [`${stemForSuffix(word)}er`, `${stemForSuffix(word)}est`];
}

/** Every whole word of the vocabulary: base forms first, then inflections (in list order, no duplicates). */
export function wholeWords(): string[] {
  const verbs = words(VERBS);
  const nouns = words(NOUNS);
  const adjectives = words(ADJECTIVES);
  return [
    ...words(FUNCTION_WORDS),
    ...words(DOMAIN_WORDS),
    ...verbs,
    ...nouns,
    ...adjectives,
    ...words(IRREGULAR_FORMS),
    ...verbs.flatMap((v) => [plural(v), pastTense(v), presentParticiple(v)]),
    ...nouns.map(plural),
    ...adjectives.filter((a) => !a.endsWith('ly')).flatMap((a) => [adverb(a), ...comparatives(a)]),
  ];
}

function numberTokens(): string[] {
  const tokens: string[] = [];
  for (let n = 10; n <= 100; n++) tokens.push(String(n));
  for (let year = 1990; year <= 2035; year++) tokens.push(String(year));
  tokens.push('000', '1000', '200', '250', '300', '365', '400', '500', '999');
  // Two-digit continuations: long order and account numbers split into pieces like a real BERT vocab does.
  for (let n = 0; n < 100; n++) tokens.push(CONTINUATION_PREFIX + String(n).padStart(2, '0'));
  return tokens;
}

/** Word-initial pieces (plain) and inner/final pieces (##piece) of length 2..6, most frequent first. */
function frequentPieces(vocabWords: readonly string[]): string[] {
  const counts = countPieces(
    vocabWords.map((word) => [word, 1] as const),
    MAX_PIECE_LENGTH,
  );
  // Longer pieces score higher: one long match replaces several short ones.
  const score = (piece: string, count: number): number =>
    count * Math.sqrt(piece.replace(CONTINUATION_PREFIX, '').length);
  return [...counts.entries()]
    .map(([piece, count]): [string, number] => [piece, score(piece, count)])
    .sort(byScoreThenText)
    .map(([piece]) => piece);
}

/** Pronounceable filler pieces (consonant-vowel-consonant), used only if the word pieces run out. */
function fillerPieces(): string[] {
  const consonants = [...ASCII_LETTERS].filter((c) => !'aeiou'.includes(c));
  const out: string[] = [];
  for (const a of consonants) {
    for (const v of 'aeiou') for (const b of consonants) out.push(CONTINUATION_PREFIX + a + v + b);
  }
  return out;
}

/** Tokens in id order ([PAD] = 0 … [MASK] = 4); the same size → the same list, on every machine. */
export function buildVocabulary(size = DEFAULT_VOCAB_SIZE): string[] {
  const vocab = new TokenList(size);
  const add = (token: string): void => vocab.add(token);
  SPECIAL_TOKENS.forEach(add);
  // Every character alone and as a continuation: no word made of these can ever become [UNK].
  for (const char of ASCII_LETTERS + DIGITS + SYMBOLS) add(char);
  for (const char of ASCII_LETTERS + DIGITS) add(CONTINUATION_PREFIX + char);
  const vocabWords = wholeWords();
  vocabWords.forEach(add);
  numberTokens().forEach(add);
  for (const suffix of SUFFIXES.split(' ')) add(CONTINUATION_PREFIX + suffix);
  PREFIXES.split(' ').forEach(add);
  frequentPieces(vocabWords).forEach(add);
  fillerPieces().forEach(add);
  if (vocab.size < size) throw new Error(`only ${vocab.size} distinct tokens available for a ${size} vocabulary`);
  return vocab.tokens;
}
