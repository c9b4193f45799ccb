/**
 * What renders as nothing: format characters (zero-width space and joiner, word joiner, byte-order mark, bidi marks),
 * Unicode's default-ignorable code points (Hangul fillers, variation selectors, the combining grapheme joiner, Khmer
 * inherent vowels) and the blank Braille pattern, which fonts draw as an empty cell.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Whether `text` shows nothing: only white space and characters that render as nothing. */
export function isBlankText(text: string): boolean {
  return text.replace(INVISIBLE, '').trim().length === 0;
}

/** Whether `text` holds a character that renders as nothing (as above): two texts that look alike may differ by it. */
export function holdsInvisible(text: string): boolean {
  return text.search(INVISIBLE) !== -1;
}
