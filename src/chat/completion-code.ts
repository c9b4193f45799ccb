import { randomInt } from 'node:crypto';

/** Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 symbols, 60 bits: a collision among a million conversations has odds below one in a million. */
const LENGTH = 12;

/** A short, unguessable code a participant can paste into a survey or a study platform (e.g. Prolific). */
export function newCompletionCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
