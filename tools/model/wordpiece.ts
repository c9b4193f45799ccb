/**
 * Building blocks of the BERT-style WordPiece vocabularies both toolkits write: the special tokens at the ids BERT
 * gives them, the `##` continuation prefix, a bounded list that keeps each token once, and sub-word piece counts.
 */

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const CONTINUATION_PREFIX = '##';
export const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';

/** Tokens in id order: a token already present or beyond `maxSize` is not added. */
export class TokenList {
  readonly tokens: string[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly maxSize: number) {}

  add(token: string): void {
    if (this.tokens.length < this.maxSize && !this.seen.has(token)) {
      this.seen.add(token);
      this.tokens.push(token);
    }
  }

  has(token: string): boolean {
    return this.seen.has(token);
  }

  get size(): number {
    return this.tokens.length;
  }
}

/** Deterministic order of [token, score] pairs: highest score first, ties by code-unit order. */
export function byScoreThenText(a: readonly [string, number], b: readonly [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/**
 * Occurrences of every word-initial piece (plain) and inner or final piece (`##piece`) of 2..maxLength characters,
 * each word weighted by its count; the whole word is not a piece of itself.
 */
export function countPieces(wordCounts: Iterable<readonly [string, number]>, maxLength: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    const letters = [...word];
    for (let start = 0; start < letters.length; start++) {
      for (let length = 2; length <= maxLength && start + length <= letters.length; length++) {
        if (start === 0 && length === letters.length) continue;
        const body = letters.slice(start, start + length).join('');
        const piece = start === 0 ? body : CONTINUATION_PREFIX + body;
        counts.set(piece, (counts.get(piece) ?? 0) + count);
      }
    }
  }
  return counts;
}
