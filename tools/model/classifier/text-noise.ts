/**
 * Typo augmentation: users type fast ("recieved", "pakage", "deliverd"). A misspelt word is not in the
 * vocabulary, so WordPiece splits it into pieces; those pieces only carry meaning if training has seen them
 * used that way. Feeding some examples with one random edit in one word teaches exactly that.
 */
import { randomInt, Rng } from '../seeded-random';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const WORD = /\p{L}{4,}/gu;

/** Applies one deletion, transposition, duplication or substitution inside one word of ≥ 4 letters; null if none. */
export function addTypo(text: string, rng: Rng): string | null {
  const words = [...text.matchAll(WORD)];
  if (words.length === 0) return null;
  const match = words[randomInt(rng, words.length)];
  const word = match[0];
  const start = match.index ?? 0;
  // Keep the first letter: people rarely mistype it, and it keeps the word-initial piece meaningful.
  const at = 1 + randomInt(rng, word.length - 1);
  let typo: string;
  switch (randomInt(rng, 4)) {
    case 0:
      typo = word.slice(0, at) + word.slice(at + 1);
      break;
    case 1:
      typo =
        at + 1 < word.length ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word.slice(0, -1);
      break;
    case 2:
      typo = word.slice(0, at) + word[at] + word.slice(at);
      break;
    default:
      typo = word.slice(0, at) + LETTERS[randomInt(rng, LETTERS.length)] + word.slice(at + 1);
  }
  return text.slice(0, start) + typo + text.slice(start + word.length);
}
