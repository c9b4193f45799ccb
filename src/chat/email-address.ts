import { holdsInvisible } from '../common/blank-text';
import { escapeHtmlText } from './html-escape';

/** The longest address (RFC 5321's path limit less its brackets) and local part mail can be sent to. */
const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/**
 * The parts of an address the chat accepts: no quoted local parts, no IP literals. Domain labels and the top-level
 * domain may be in any script (`uni-köln.de`, `例え.jp`, `почта.рф`) or their ASCII form (`xn--…`): an address
 * typed that way must be found in a transcript like any other, or a pseudonymised export, the retention job and
 * an erasure by address would leave it in clear. The top-level domain is letters only (or `xn--…`), and of one kind:
 * ASCII, or wholly of another script, so text typed right after an address (`…@example.org입니다`, `…orgです`) is not
 * taken for part of it.
 */
// `\s` holds the byte-order mark, which renders as nothing: inside a local part it is taken in like any other
// character (and `addressKey` drops it), or `ali\ufeffce@…` would be found as `ce@…`.
// Up to the length of a whole address, not the 64 a local part may have (the e-mail step holds it to those): a
// longer one typed in a message is still found whole, not as its last 64 characters, whose beginning would stay in
// clear and whose pseudonym would be another address's.
const LOCAL_PART = String.raw`(?:[^\s@\uff20\ufe6b<>()[\]\\,;:"]|\ufeff){1,${MAX_ADDRESS_LENGTH}}`;
/**
 * A character that renders as nothing (soft hyphen, zero-width space and joiners, word joiner, byte-order mark, bidi
 * marks, variation selectors). The e-mail step refuses them, but typed inside an address in free text
 * (`ann@exam\u00adple.org`) the address must still be found whole, or it would stay in clear where it looks exactly
 * like the participant's: the domain takes them anywhere, as the local part takes anything, and `addressKey` drops them.
 */
const IGNORABLE = String.raw`\p{Default_Ignorable_Code_Point}`;
const DOMAIN_LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}${IGNORABLE}-]{0,62}[\p{L}\p{M}\p{N}])?`;
const DOT = String.raw`${IGNORABLE}*\.${IGNORABLE}*`;
// The `xn--` form first: as letters, its `xn` alone would end the address early (`….xn` + `--p1ai`).
const TOP_LEVEL_DOMAIN = String.raw`(?:xn--[A-Za-z0-9-]+|[A-Za-z](?:${IGNORABLE}*[A-Za-z]){1,62}|(?![A-Za-z])\p{L}(?:(?![A-Za-z])[\p{L}\p{M}${IGNORABLE}])+)`;
const addressWithAsciiAt = (localPart: string): string =>
  String.raw`${localPart}@${IGNORABLE}*${DOMAIN_LABEL}(?:${DOT}${DOMAIN_LABEL})*${DOT}${TOP_LEVEL_DOMAIN}`;
const ADDRESS_WITH_ASCII_AT = addressWithAsciiAt(LOCAL_PART);

/** What the chat accepts at the e-mail step: ASCII `@` and `.`, the address mail is sent to. */
const WHOLE = new RegExp(`^${ADDRESS_WITH_ASCII_AT}$`, 'u');

/**
 * The full-width forms CJK input methods type: `＠` (or the small `﹫`), `．`, the ideographic full stops `。` and `｡`
 * (which IDNA reads as dots), full-width Latin letters and digits. Found only where the domain is Latin (ASCII or
 * full-width): Japanese prose writes `＠` for "at" and `．` for a full stop (`会議＠東京．その後…`), which is no address.
 */
const LATIN_ALNUM = String.raw`[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]`;
const LATIN_LABEL = String.raw`${LATIN_ALNUM}(?:[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\-\uff0d]{0,62}${LATIN_ALNUM})?`;
const LATIN_TOP_LEVEL_DOMAIN = String.raw`[A-Za-z\uff21-\uff3a\uff41-\uff5a]{2,63}`;
const WIDE_DOT = String.raw`[.\uff0e\u3002\uff61]`;
const addressInWideForms = (localPart: string): string =>
  String.raw`${localPart}[@\uff20\ufe6b]${LATIN_LABEL}(?:${WIDE_DOT}${LATIN_LABEL})*${WIDE_DOT}${LATIN_TOP_LEVEL_DOMAIN}`;

/**
 * What is found in a text: an address as the e-mail step takes it, or typed in full-width forms (NFKC, and so
 * `addressKey`, makes those the ASCII address): either way still the participant's, for a pseudonymised export,
 * retention and erasure.
 */
const ADDRESS = `(?:${ADDRESS_WITH_ASCII_AT}|${addressInWideForms(LOCAL_PART)})`;

/**
 * The same in text escaped for HTML (the replies stored for replays, `escapeHtmlText`: `&`, `<` and `>` as entities):
 * a local part's `&` is there `&amp;`, whose `;` would otherwise end it (`tom&amp;jerry@…` found from `jerry`), and a
 * bare `&` is only ever an entity's start.
 */
const LOCAL_PART_IN_HTML = String.raw`(?:[^\s@\uff20\ufe6b<>()[\]\\,;:"&]|\ufeff|&amp;){1,${MAX_ADDRESS_LENGTH}}`;
const ADDRESS_IN_HTML = `(?:${addressWithAsciiAt(LOCAL_PART_IN_HTML)}|${addressInWideForms(LOCAL_PART_IN_HTML)})`;

/**
 * Control characters; the invisible ones (zero-width space, soft hyphen, bidi overrides, Hangul fillers, variation
 * selectors: `holdsInvisible`) are refused too. An address holding one looks like another address, and erasing the
 * one it looks like would not find it.
 */
const CONTROL = /\p{Cc}/u;

/**
 * A local part whose dots do not separate words (`.me`, `me.`, `me..x`): no mail server delivers to it unquoted, so
 * the participant mistyped it. The finder's pattern takes such parts in all the same, as it does anything typed.
 */
const STRAY_DOT = /^\.|\.@|\.\./;

/** Whether `text` (already trimmed) is an e-mail address the conversation accepts at step 6. */
export function isValidEmail(text: string): boolean {
  return (
    text.length <= MAX_ADDRESS_LENGTH &&
    text.lastIndexOf('@') <= MAX_LOCAL_PART_LENGTH &&
    WHOLE.test(text) &&
    !CONTROL.test(text) &&
    !holdsInvisible(text) &&
    !STRAY_DOT.test(text) &&
    // A full-width letter, a ligature or a circled digit anywhere: not the address mail is sent to.
    text.normalize('NFKC') === text.normalize('NFC')
  );
}

/**
 * `text` with every e-mail address in it replaced by `replace(address)`. Built from the same pattern as
 * `isValidEmail` (without its refusal of invisible characters, which addresses stored before it may hold), so an
 * address the chat accepted is always found whole, wherever it was typed.
 */
export function replaceEmails(text: string, replace: (address: string) => string): string {
  return text.replace(emailPattern(), replace);
}

/**
 * `replaceEmails` for text escaped for HTML: `replace` gets each address as typed (`&amp;` read as `&`), and what it
 * returns goes back escaped.
 */
export function replaceEmailsInHtml(html: string, replace: (address: string) => string): string {
  return html.replace(new RegExp(ADDRESS_IN_HTML, 'gu'), (found) =>
    escapeHtmlText(replace(found.replaceAll('&amp;', '&'))),
  );
}

/** Every e-mail address in `html`, text escaped for HTML, as typed (`replaceEmailsInHtml`). */
export function emailsInHtml(html: string): string[] {
  return (html.match(new RegExp(ADDRESS_IN_HTML, 'gu')) ?? []).map((found) => found.replaceAll('&amp;', '&'));
}

/** Whether `text` (trimmed) is one address, found whole by the pattern: what an erasure by e-mail can look for. */
export function isOneAddress(text: string): boolean {
  const trimmed = text.trim();
  const [only, ...more] = emailsIn(trimmed);
  return only === trimmed && more.length === 0;
}

/** The pattern `replaceEmails` and `emailsIn` find addresses with, fresh (global: it keeps the place of a search). */
export function emailPattern(): RegExp {
  return new RegExp(ADDRESS, 'gu');
}

/** Every e-mail address in `text`, found as `replaceEmails` finds them. */
export function emailsIn(text: string): string[] {
  return text.match(emailPattern()) ?? [];
}

/**
 * The code points Unicode calls default-ignorable (`IGNORABLE` above), as ranges a PostgreSQL bracket expression
 * takes: `addressKey`'s removal of them in SQL. A unit test holds it equal to the runtime's own table.
 */
export const IGNORABLE_RANGES: readonly (readonly [number, number])[] = [
  [0xad, 0xad],
  [0x34f, 0x34f],
  [0x61c, 0x61c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfff8],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe0fff],
];

/**
 * The form in which two addresses are one participant's: trimmed, without the characters that render as nothing
 * (two addresses that look alike are one), in Unicode's compatibility-composed form (NFKC: an accent typed as its
 * own combining mark and the accented letter are one address, and so are full-width letters and their ASCII forms),
 * the ideographic full stop as a dot (NFKC leaves it) and lower-cased. Pseudonyms and erasure both use it.
 */
export function addressKey(address: string): string {
  return address
    .replace(new RegExp(IGNORABLE, 'gu'), '')
    .trim()
    .normalize('NFKC')
    .replace(/\u3002/g, '.')
    .toLowerCase();
}

/**
 * A character that, right before an address found in a text, belongs to it: the address is then another one (`m` +
 * `alice@…`, `x.alice@…`, `x+alice@…`, `д` + `има@…`, `ω` + `mega@…`). Anything else there (a quote, `=`, `*`, `#`, a
 * full-width colon) is what was typed around it, and so is a letter of a script written without spaces between
 * words (`是alice@…`, `メールalice@…`): where the address begins cannot be told from the text there, and the letter is
 * taken for the text's, so an erasure by `明qz@…` finds `李明qz@…` too rather than miss `邮箱是明qz@…`.
 */
const CONTINUES_LOCAL_PART = /[\p{L}\p{N}\p{M}._+-]/u;
const WRITTEN_WITHOUT_SPACES =
  /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Thai}\p{Script_Extensions=Lao}\p{Script_Extensions=Khmer}\p{Script_Extensions=Myanmar}]/u;
const partOfLocalPart = (char: string): boolean =>
  CONTINUES_LOCAL_PART.test(char) && !WRITTEN_WITHOUT_SPACES.test(char);

/**
 * Characters found inside names (`o'connor@…`, `o’brien@…`, `o''neil@…`, `tom&jerry@…`) as well as typed around an
 * address (a quote opened before it): apostrophes and their look-alikes (a backtick, single quotation marks, the
 * prime, the modifier letter apostrophe, the Hebrew geresh, the Armenian apostrophe) and `&`.
 */
const JOINS_NAMES = /['`\u2018\u2019\u201b\u2032\u02bb\u02bc\u05f3\u055a&]/u;

/**
 * Whether `found`, an address `emailsIn` found in a text, is the participant's whose `addressKey` is `key`. The pattern
 * takes in whatever was typed right before an address with no space (`'alice@…'`, `email=alice@…`, `是alice@…`),
 * since an address's local part may hold such characters; so a found address also names `key` when it ends with it
 * and the character before is none that a local part would continue with.
 */
export function namesAddress(found: string, key: string): boolean {
  const candidate = addressKey(found);
  if (candidate === key) return true;
  if (!candidate.endsWith(key) || candidate.length === key.length) return false;
  const typed = [...candidate.slice(0, candidate.length - key.length)];
  // The characters right before the address asked for that cannot continue a local part on their own…
  let start = typed.length;
  while (start > 0 && !partOfLocalPart(typed[start - 1])) start--;
  const between = typed.slice(start);
  // …none: a letter, digit or `.` right before it (`malice@…`), so the local part goes on.
  if (between.length === 0) return false;
  // …only apostrophes and `&` after a name (`o'connor@…`, `o''neil@…`, `tom&jerry@…`): part of it too. Anything else
  // there (`'alice@…`, `email='alice@…`, `是alice@…`) was typed around the address.
  return start === 0 || !between.every((char) => JOINS_NAMES.test(char));
}

/**
 * The marks `found` (an address `emailsIn` found) begins with that were typed around it, not part of it: quotes, `&`,
 * `=`, `*` and the like before its first letter or digit (`'alice@…`, `&alice@…`, `‘alice@…`), as `namesAddress`
 * reads them. Never a letter (where an address typed right after text in a script without spaces begins cannot be
 * told, and a name's letters must not stay in clear) nor what continues a local part (`+alice@…` is another address).
 */
export function leadingMarks(found: string): string {
  const chars = [...found];
  const at = chars.indexOf('@');
  let end = 0;
  while (end < at - 1 && !partOfLocalPart(chars[end]) && !/[\p{L}\p{N}\p{M}]/u.test(chars[end])) end++;
  return chars.slice(0, end).join('');
}

/**
 * What was typed before the address whose `addressKey` is `key` in `found` (an address `emailsIn` found): '' when
 * `found` is that address, null when it names another (`namesAddress`). So `'alice@…` gives `'`, `是alice@…` gives `是`.
 */
export function typedBefore(found: string, key: string): string | null {
  if (!namesAddress(found, key)) return null;
  for (let start = 0; start < found.length; start++) {
    if (addressKey(found.slice(start)) === key) return found.slice(0, start);
  }
  return null;
}
