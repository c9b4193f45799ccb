/**
 * Whether `text` holds a control character other than tab, line feed and carriage return: C0, DEL or C1 (U+0080 to
 * U+009F, among them CSI, which a terminal reads as the start of an escape sequence). Nobody types them, PostgreSQL
 * refuses NUL in text, and they have no place in a transcript researchers read or a text participants are shown.
 */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Whether `text` holds half of a UTF-16 surrogate pair on its own (JSON can carry one as an escape such as
 * `\ud800`): it is no character, and PostgreSQL's UTF-8 would store it as U+FFFD, silently changing what was said.
 */
export function hasUnpairedSurrogates(text: string): boolean {
  return /\p{Surrogate}/u.test(text);
}
