import { isBlankText } from '../common/blank-text';
import { emailPattern } from './email-address';

/** The longest reply taken from the LLM, in UTF-16 code units (what `String.length` counts). */
export const MAX_LLM_REPLY_LENGTH = 500;

const ESC = 0x1b;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
/** C0 and C1 controls and DEL. */
const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f);

/**
 * `text` without terminal control sequences (`ESC [ … m` and the like: their printable tail would show once ESC is
 * gone), control characters or half surrogate pairs. PostgreSQL refuses NUL and a lone surrogate (a 500 where the
 * LLM should be optional), participants would see the rest as boxes, and a participant who types them is refused.
 */
function showableCharacters(text: string): string {
  let kept = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === ESC && text[i + 1] === '[') {
      // Parameter and intermediate bytes, then one final byte (ECMA-48's control sequence).
      i += 2;
      while (i < text.length && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x3f) i++;
      continue;
    }
    if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
      kept += text.slice(i, i + 2);
      i++;
    } else if (!isControl(code) && !isHighSurrogate(code) && !isLowSurrogate(code)) {
      kept += text[i];
    }
  }
  return kept;
}

/**
 * What the LLM answered, as text a participant may see and the transcript may store: whitespace runs as one
 * space, only showable characters, at most `MAX_LLM_REPLY_LENGTH` long and never cut between the two halves of a
 * character. Empty when nothing is left (the caller answers from its template).
 */
export function cleanLlmReply(content: string): string {
  // A byte-order mark renders as nothing and `\s` counts it as a space: dropped, so an address the LLM echoed with
  // one inside (`ali\ufeffce@…`) stays one address, found whole by the e-mail finder, not split in two.
  const text = showableCharacters(content.replace(/\ufeff/g, '').replace(/\s+/g, ' '))
    .replace(/ {2,}/g, ' ')
    .trim();
  // An answer that renders as nothing (zero-width spaces, fillers) would be an empty message: the page hides those.
  if (isBlankText(text)) return '';
  if (text.length <= MAX_LLM_REPLY_LENGTH) return text;
  // A cut right after the first half of a pair would leave half a character: cut before the pair instead.
  let end = isHighSurrogate(text.charCodeAt(MAX_LLM_REPLY_LENGTH - 1)) ? MAX_LLM_REPLY_LENGTH - 1 : MAX_LLM_REPLY_LENGTH;
  // A cut inside an e-mail address would leave a piece no finder takes for one (`jane@uni`): it would stay in clear
  // in a pseudonymised export and after retention. Cut before the address instead.
  for (const { index, 0: address } of text.matchAll(emailPattern())) {
    if (index < end && index + address.length > end) end = index;
  }
  return text.slice(0, end).trimEnd();
}
