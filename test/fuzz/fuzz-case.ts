import zlib from 'node:zlib';
import {
  jsonText,
  keyListsOf,
  LongString,
  nestingDepth,
  RawJson,
  someNode,
  stringsOf,
  textNestingDepth,
} from './json-text';
import type { RawRequest } from './raw-http';

/** A request body as generated: kept symbolic so fast-check can shrink it and print it short. */
export type BodySpec =
  /** A JSON value (which may hold the pieces of json-text.ts), written with `jsonText`. */
  | { kind: 'json'; value: unknown }
  /** Text sent verbatim as UTF-8: malformed JSON, form bodies. */
  | { kind: 'text'; text: string }
  /** Bytes given in hex: invalid UTF-8 and other bytes no string can carry. */
  | { kind: 'bytes'; hex: string };

export type Compression = 'gzip' | 'deflate' | 'br';

/** What `Content-Encoding` says, and how the body is really encoded (null: sent as it is). */
export interface EncodingSpec {
  header: string;
  apply: Compression | null;
}

/**
 * What a 2xx answer of the route carries: JSON; the researchers' export; Prometheus text; bull-board's page; the study
 * console's JSON, which shows stored participant text to the admin by design.
 */
export type SuccessKind = 'json' | 'export' | 'prometheus' | 'dashboard' | 'console';

/** Route-specific rules the oracle applies beyond the ones every response obeys. */
export interface CaseRules {
  success: SuccessKind;
  /** A chat turn: its 200 answer is checked for markup and shape. */
  chatTurn?: boolean;
  /** A greeting or closing prompt: its `message` is checked for markup. */
  chatPrompt?: boolean;
  /** Behind the admin key: never 2xx without it. */
  admin?: boolean;
  /**
   * This method must be refused here (GET on the reset route): never a success, and exactly this status when nothing
   * else is wrong with the request (a broken body may be answered first, with its own 4xx).
   */
  refusedWith?: number;
}

/** One generated request and the rules its answer must obey. */
export interface FuzzCase {
  /** The route it is counted under, e.g. `POST /api/random` (method and pattern, no slash or query). */
  route: string;
  method: string;
  /** Path and query exactly as they go on the request line. */
  path: string;
  /** Header name → value; only names the case sets (node adds Host and Connection). */
  headers: Record<string, string>;
  body: BodySpec | null;
  encoding: EncodingSpec | null;
  rules: CaseRules;
}

/** The bytes of a body spec before any Content-Encoding. */
export function bodyBytes(body: BodySpec): Buffer {
  switch (body.kind) {
    case 'json':
      return Buffer.from(jsonText(body.value), 'utf8');
    case 'text':
      return Buffer.from(body.text, 'utf8');
    case 'bytes':
      return Buffer.from(body.hex, 'hex');
  }
}

function compress(bytes: Buffer, how: Compression): Buffer {
  switch (how) {
    case 'gzip':
      return zlib.gzipSync(bytes);
    case 'deflate':
      return zlib.deflateSync(bytes);
    case 'br':
      return zlib.brotliCompressSync(bytes);
  }
}

/** The request as it goes on the wire. */
export function renderCase(fuzzCase: FuzzCase): RawRequest {
  const headers: Record<string, string> = { ...fuzzCase.headers };
  let body = fuzzCase.body ? bodyBytes(fuzzCase.body) : undefined;
  if (fuzzCase.encoding) {
    headers['Content-Encoding'] = fuzzCase.encoding.header;
    if (body && fuzzCase.encoding.apply) body = compress(body, fuzzCase.encoding.apply);
  }
  return { method: fuzzCase.method, path: fuzzCase.path, headers, body };
}

/** C0 controls and DEL: no header value may hold them (node refuses to send one that does). */
export function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Nesting past this counts as deep: far beyond the React client's own three levels. */
const DEEP = 64;

/**
 * The unusual things a request carries, by name. The long run reports each failure once, shrunk: a later failing case
 * is the same failure when it breaks the same rule and carries every feature the shrunk case carried (a NUL, a corrupt
 * gzip body, nesting past 64 levels…), whatever its route. Ordinary choices (a JSON body, JSON content type, no
 * encoding) are no feature, and shrinking drops every feature the failure does not need.
 */
export function featuresOf(fuzzCase: FuzzCase): Set<string> {
  const features = new Set<string>();
  const { body, encoding, headers } = fuzzCase;
  if (body) {
    if (body.kind !== 'json') features.add(`body:${body.kind}`);
    // A text body that still parses (a BOM away from JSON) carries the strings of what it parses to; a deep one is
    // not parsed, since walking it would overflow this process's own stack.
    const raw = body.kind === 'json' ? null : bodyBytes(body).toString();
    const rawDepth = raw === null ? 0 : textNestingDepth(raw);
    const parsed = raw !== null && rawDepth <= DEEP ? parsedOrNull(raw) : null;
    // A form body (`message=%00`) carries what its percent-escapes decode to.
    const strings = raw === null ? stringsOf(jsonValueOf(body)) : [raw, percentDecoded(raw), ...stringsOf(parsed)];
    if (strings.some((text) => text.includes('\u0000'))) features.add('nul');
    // Controls other than NUL (its own feature) and the whitespace ones JSON and chat text carry anyway.
    const control = (char: string) => isControl(char) && !['\u0000', '\t', '\n', '\r'].includes(char);
    if (strings.some((text) => [...text].some(control))) features.add('control-character');
    if (strings.some((text) => LONE_SURROGATE.test(text))) features.add('lone-surrogate');
    if (rawDepth > DEEP) features.add('deep');
    if (body.kind === 'json') {
      if (nestingDepth(body.value) > DEEP) features.add('deep');
      if (someNode(body.value, (node) => node instanceof LongString)) features.add('long-string');
      const objects = keyListsOf(body.value);
      if (objects.some((keys) => keys.some((key) => PROTOTYPE_KEYS.has(key)))) features.add('prototype-key');
      if (objects.some((keys) => new Set(keys).size !== keys.length)) features.add('repeated-key');
      if (someNode(body.value, (node) => node instanceof RawJson)) features.add('raw-number');
    }
  }
  if (encoding) features.add(`encoding:${encodingFeature(encoding)}`);
  const contentType = headers['Content-Type'];
  if (contentType === undefined) {
    if (body) features.add('content-type:none');
  } else if (!/^application\/json(\s*;\s*charset="?(utf-8)?"?)?$/i.test(contentType.trim())) {
    // Spellings of the JSON type that every JSON client sends are no feature; anything else is.
    features.add(`content-type:${contentType.toLowerCase()}`);
  }
  // The admin key's headers are left out: on admin routes they decide the route's answer, elsewhere nothing.
  for (const name of Object.keys(headers)) {
    if (!['Content-Type', 'X-Api-Key', 'Authorization'].includes(name)) features.add(`header:${name.toLowerCase()}`);
  }
  if (fuzzCase.path.includes('?')) features.add('query');
  if (fuzzCase.path.includes('%')) features.add('percent-encoding');
  return features;
}

/** The text with every well-formed run of percent-escapes decoded, the broken ones left as they are. */
export function percentDecoded(text: string): string {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function jsonValueOf(body: BodySpec): unknown {
  return body.kind === 'json' ? body.value : null;
}

function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\ufeff/, '')) as unknown;
  } catch {
    return null;
  }
}

/**
 * What a Content-Encoding amounts to, whichever compression it names: the body really is what the header says, is
 * not (plain, or compressed otherwise), the header is identity, or it names no encoding the server implements.
 */
function encodingFeature({ header, apply }: EncodingSpec): string {
  const name = header.trim().toLowerCase();
  if (name === 'identity') return apply === null ? 'identity' : 'identity-but-compressed';
  if (name === 'gzip' || name === 'deflate' || name === 'br') return apply === name ? 'as-declared' : 'not-as-declared';
  return 'unsupported';
}

/** A one-paragraph description of the request for failure messages (bodies cut to a readable length). */
export function describeCase(fuzzCase: FuzzCase, request: RawRequest): string {
  const body = request.body
    ? `${request.body.length} bytes: ${JSON.stringify(
        (fuzzCase.body ? bodyBytes(fuzzCase.body) : request.body).toString('utf8').slice(0, 300),
      )}`
    : 'none';
  return [
    `${request.method} ${request.path.length > 300 ? `${request.path.slice(0, 300)}…` : request.path}`,
    `headers ${JSON.stringify(request.headers)}`,
    `body ${body}`,
  ].join('\n  ');
}
