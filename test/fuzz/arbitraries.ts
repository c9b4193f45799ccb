import fc from 'fast-check';
import { type BodySpec, type CaseRules, type EncodingSpec, type FuzzCase, isControl } from './fuzz-case';
import { DeepJson, JsonObject, jsonText, LongString, RawJson } from './json-text';

/** What the generators draw on besides randomness: state the harness created before fuzzing. */
export interface FuzzContext {
  /** Conversations greeted by well-formed clients: the "someone else's" conversation ids. */
  conversationIds: readonly string[];
  /** Ids of classification jobs that exist. */
  jobIds: readonly string[];
  adminKey: string;
  /** An origin in CORS_ORIGINS. */
  allowedOrigin: string;
}

/** One family of routes and how often the fuzzer visits it relative to the others. */
export interface RouteGroup {
  name: string;
  /** Runs per `FUZZ_RUNS` unit: the chat turn and the classifier take the most input, so they get the most runs. */
  weight: number;
  arbitrary: fc.Arbitrary<FuzzCase>;
}

/** Bodies stay under the service's 100 kB limit (BODY_LIMIT=100kb is 102,400 bytes) with room for the JSON around. */
const MAX_STRING_BYTES = 90_000;

/**
 * fc.oneof that may also shrink to its first choice. Every oneof here lists the most ordinary choice first, so a shrunk
 * counterexample keeps only what its failure needs.
 */
function oneof<Ts extends fc.MaybeWeightedArbitrary<unknown>[]>(...arbitraries: Ts): fc.Arbitrary<fc.OneOfValue<Ts>> {
  return fc.oneof({ withCrossShrink: true }, ...arbitraries);
}

/** `arbitrary`'s value once in `oneIn` draws, else null (fc.option's `freq` is the other way round: nil once in freq). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

// ---------------------------------------------------------------- text

/** Characters that break naive code: controls, surrogates, bidi and zero-width marks, emoji, combining marks. */
const UNICODE_EDGES = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009f',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '\u{10ffff}',
  '😀',
  '👩‍👩‍👧‍👦',
  '🇫🇷',
  '🏳️‍🌈',
  '👍🏽',
  // NFC and NFD spellings of the same text, and compatibility forms.
  'é',
  'e\u0301',
  'Å',
  'A\u030a',
  '한',
  '\u1112\u1161\u11ab',
  'ﬁ',
  'Ǆ',
  'İ',
  'ß',
  'Z\u0351\u0352\u0357\u0358\u035b\u0338\u0338',
  'مرحبا',
  'שלום',
  '你好',
  '𝕳𝖊𝖑𝖑𝖔',
] as const;

/** Text that must come back escaped (markup) or inert (injection, format strings). */
const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '"><svg/onload=alert(1)>',
  '</textarea><b>',
  '&lt;b&gt;',
  '&amp;',
  '&#60;',
  '<!--',
  ']]>',
  "' OR '1'='1",
  "'; DROP TABLE conversation; --",
  'SELECT * FROM conversation',
  '$1',
  '\\',
  '\\u0000',
  '%00',
  '%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '../../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '__proto__',
] as const;

const WORDS = ['My', 'parcel', 'never', 'arrived', 'the', 'blender', 'broke', 'cashier', 'was', 'rude', 'refund'];

const COMPLAINTS = [
  'My parcel never arrived although tracking says delivered.',
  'The blender broke after two days and smells of burning.',
  'The cashier was really rude to me when I asked for help.',
  'I was charged twice for my subscription.',
  'It started on Monday.',
  'A refund, please.',
] as const;

/** Addresses valid and invalid for the email step (index 6). */
const EMAILS = [
  'me@example.org',
  'first.last+tag@sub.example.co.uk',
  ' me@example.org ',
  'me@example',
  'me@@example.org',
  '"quoted"@example.org',
  'me@example.org<script>',
  'me\u0000@example.org',
  'mé@example.org',
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.org`,
] as const;

/** Short strings built from the pieces above, the way a person (or an attacker) might type them. */
const fuzzText: fc.Arbitrary<string> = fc
  .array(
    oneof(
      { weight: 4, arbitrary: fc.constantFrom(...WORDS, ' ', '.', ',', '!', '?') },
      { weight: 3, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/**
 * encodeURIComponent throws on a lone surrogate; this encodes the UTF-8 bytes a client would send for it (U+FFFD's).
 */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** How many bytes one copy of `unit` takes inside a JSON string. */
function escapedBytes(unit: string): number {
  return Buffer.byteLength(JSON.stringify(unit)) - 2;
}

const LONG_UNITS = ['a', ' ', 'é', '😀', 'e\u0301', '<', '"', '\\', '\u0000', '\ud800', 'x '] as const;

/** A long string of one repeated unit, between `min` copies and as many as fit under the body limit. */
function longString(min: number, max = Number.POSITIVE_INFINITY): fc.Arbitrary<LongString> {
  // Unit and length drawn side by side (not chained) so that shrinking can shorten the string directly.
  return fc
    .tuple(fc.constantFrom(...LONG_UNITS), fc.integer({ min, max: Math.min(max, MAX_STRING_BYTES) }))
    .map(
      ([unit, length]) =>
        new LongString(unit, Math.max(min, Math.min(length, Math.floor(MAX_STRING_BYTES / escapedBytes(unit))))),
    );
}

/** A chat message or text to classify: mostly text a participant could send, sometimes far beyond. */
const messageText: fc.Arbitrary<string | LongString> = oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMPLAINTS) },
  { weight: 1, arbitrary: fc.constantFrom(...EMAILS) },
  { weight: 6, arbitrary: fuzzText },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', '\u00a0', '\u3000', '\u200b') },
  // Either side of CHAT_MAX_MESSAGE_LENGTH / ML_MAX_TEXT_LENGTH (2000 UTF-16 units).
  { weight: 1, arbitrary: longString(1990, 2010) },
  { weight: 1, arbitrary: longString(2001) },
);

// ---------------------------------------------------------------- JSON values

/** Number tokens JSON allows and a double cannot hold. */
const rawNumber = fc
  .constantFrom('1e400', '-1e400', '1E-400', '-0', '0.0e0', '123456789012345678901234567890', '9007199254740993')
  .map((text) => new RawJson(text));

const scalar: fc.Arbitrary<unknown> = oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  rawNumber,
  fuzzText,
);

/** Keys that objects are likely to meet: the DTOs' own, prototype keys, and anything. */
const objectKey = oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'message',
      'text',
      'texts',
      'index',
      'scenario',
      'conversation_id',
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'then',
      '',
    ),
  },
  { weight: 1, arbitrary: fuzzText },
);

/** Nesting from a few levels to 5,000. */
const deepJson: fc.Arbitrary<DeepJson> = fc
  .record({
    // fast-check draws the bounds and small values often; one range lets shrinking find the smallest depth that fails.
    depth: fc.integer({ min: 1, max: 5000 }),
    open: fc.constantFrom<'array' | 'object'>('array', 'object'),
    leaf: scalar,
  })
  .map(({ depth, open, leaf }) => new DeepJson(depth, open, leaf));

/** Any JSON value of arbitrary shape: objects (prototype keys included), arrays, strings, numbers, null, booleans. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(objectKey, tie('node')), { maxLength: 4 }).map((entries) => new JsonObject(entries)),
  ),
})).node;

/** A field value: usually of the expected kind, sometimes anything, deep or long. */
function mutated<T>(expected: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return oneof(
    { weight: 8, arbitrary: expected },
    { weight: 2, arbitrary: anyJson },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: longString(1) },
  );
}

/**
 * An object with its expected members, plus prototype keys or repeated keys (the last one wins in JSON.parse),
 * and sometimes without one of its members.
 */
function withExtraKeys(members: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<JsonObject> {
  const extra = fc.array(
    fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'message', 'text', 'scenario'), anyJson),
    { maxLength: 2 },
  );
  return fc.tuple(members, extra, sometimes(fc.nat(), 6)).map(([record, more, drop]) => {
    const entries = Object.entries(record);
    if (drop !== null && entries.length > 0) entries.splice(drop % entries.length, 1);
    return new JsonObject([...entries, ...more]);
  });
}

// ---------------------------------------------------------------- the React client's turn body

function scenarioOf(context: FuzzContext): fc.Arbitrary<unknown> {
  const someoneElses = fc.constantFrom(...context.conversationIds);
  const conversationId = oneof(
    { weight: 4, arbitrary: someoneElses },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    {
      weight: 2,
      arbitrary: oneof(
        fc.constantFrom('', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', "' OR 1=1 --", '\u0000'),
        someoneElses.map((id) => `${id}x`),
        someoneElses.map((id) => ` ${id}`),
        someoneElses.map((id) => `${id}\u0000`),
      ),
    },
    { weight: 1, arbitrary: anyJson },
  );
  const level = mutated(fc.constantFrom('High', 'Low'));
  const scenario = fc.record(
    {
      brand: mutated(fc.constantFrom('Basic', 'Lulu')),
      problem_type: mutated(fc.constantFrom('', 'A', 'B', 'C', 'Other')),
      think_level: level,
      feel_level: level,
      conversation_id: conversationId,
      product_type_breakdown: mutated(
        fc.record({ A: fc.double(), B: fc.double(), C: fc.double(), Other: fc.double() }),
      ),
    },
    { requiredKeys: ['conversation_id'] },
  );
  return oneof(
    { weight: 6, arbitrary: scenario },
    // The original's load test sends the scenario as a JSON string.
    { weight: 1, arbitrary: scenario.map((value) => jsonText(value)) },
    { weight: 1, arbitrary: anyJson },
  );
}

/** `{ message, index, timer, classType, chatLog, messageTypeLog, scenario }` with every field mutated. */
function chatTurnBody(context: FuzzContext): fc.Arbitrary<JsonObject> {
  const logEntry = fc.record({ text: messageText, sender: fc.constantFrom('bot', 'user', '<b>bot</b>') });
  return withExtraKeys(
    fc.record(
      {
        message: mutated(messageText),
        index: mutated(oneof(fc.integer({ min: -1, max: 8 }), fc.constantFrom('0', '1', '', 'NaN'), rawNumber)),
        timer: mutated(
          oneof(
            fc.double({ min: 0, max: 1e4, noNaN: true }),
            fc.constantFrom('12.5', 'NaN', 'Infinity', '-Infinity', '1e400', '0x10', ''),
            rawNumber,
          ),
        ),
        classType: mutated(fc.constantFrom('', 'A', 'B', 'C', 'Other')),
        chatLog: mutated(
          oneof(fc.array(logEntry, { maxLength: 6 }), fc.constantFrom('[]', '[{"text":"x","sender":"user"}]', '[')),
        ),
        messageTypeLog: mutated(oneof(fc.array(fc.record({ text: fuzzText }), { maxLength: 4 }), fc.constant('[]'))),
        scenario: scenarioOf(context),
      },
      { requiredKeys: ['message', 'index', 'scenario'] },
    ),
  );
}

// ---------------------------------------------------------------- bodies, encodings, headers, queries

/** Ways to break a JSON text: truncation, stray characters, comments, BOM, single quotes, trailing commas. */
const malformedJson = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<BodySpec> =>
  fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom('truncate', 'insert', 'delete', 'bom', 'single-quotes', 'trailing-comma', 'comment', 'nan'),
      fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\n', '\u2028', 'é', '😀', '\ud800'),
    )
    .map(([value, at, how, char]): BodySpec => {
      const text = jsonText(value);
      const cut = text.length === 0 ? 0 : at % text.length;
      const broken = {
        truncate: text.slice(0, cut),
        insert: text.slice(0, cut) + char + text.slice(cut),
        delete: text.slice(0, cut) + text.slice(cut + 1),
        bom: `\ufeff${text}`,
        'single-quotes': text.replace(/"/g, "'"),
        'trailing-comma': text.replace(/([}\]])$/, ',$1'),
        comment: `/* ${char} */${text}`,
        nan: text.replace(/(\d+(\.\d+)?)/, 'NaN'),
      }[how];
      return { kind: 'text', text: broken };
    });

/** Bytes that are not UTF-8, alone and inside an otherwise valid body. */
const invalidUtf8: fc.Arbitrary<BodySpec> = fc
  .tuple(
    fc.constantFrom('ff', 'c0af', 'eda080', 'f4908080', 'e282', '00', 'fe', 'efbbbf'),
    fc.constantFrom('message', 'text'),
    fc.boolean(),
  )
  .map(([bad, field, wrapped]) => ({
    kind: 'bytes',
    hex: wrapped ? Buffer.from(`{"${field}":"ab`).toString('hex') + bad + Buffer.from('cd"}').toString('hex') : bad,
  }));

const formBody: fc.Arbitrary<BodySpec> = fc
  .array(
    fc.tuple(
      fc.constantFrom('message', 'text', 'texts[]', 'scenario[conversation_id]', '__proto__[x]', 'index'),
      oneof(fuzzText.map(percentEncode), fc.constantFrom('%', '%zz', '%00', 'hello')),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => ({ kind: 'text', text: pairs.map(([key, value]) => `${key}=${value}`).join('&') }));

/** A request body around the route's own shape: mostly that shape, also anything else a client could send. */
function bodyAround(shape: fc.Arbitrary<unknown>): fc.Arbitrary<BodySpec | null> {
  return oneof(
    { weight: 12, arbitrary: shape.map((value): BodySpec => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: anyJson.map((value): BodySpec => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: deepJson.map((value): BodySpec => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: malformedJson(shape) },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: formBody },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** A body on a GET: rare, and whatever its kind. */
const strayBody: fc.Arbitrary<BodySpec | null> = sometimes(bodyAround(anyJson), 8);

const contentType: fc.Arbitrary<string> = oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json;charset="utf-8"',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=utf-16le',
      'application/json; charset=bogus',
      'application/json; charset=',
      'Application/JSON',
      'application/json; foo=bar',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----x',
      'application/vnd.api+json',
      'application/octet-stream',
      '*/*',
      'application/',
      ';;;',
      '',
    ),
  },
);

const encoding: fc.Arbitrary<EncodingSpec | null> = oneof(
  { weight: 10, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.record({
      header: fc.constantFrom(
        'gzip',
        'br',
        'deflate',
        'identity',
        'bogus',
        'GZIP',
        'x-gzip',
        'gzip, br',
        'identity, gzip',
        'compress',
        'zstd',
        ' gzip',
        '*',
        '',
      ),
      apply: fc.constantFrom<EncodingSpec['apply']>(null, 'gzip', 'br', 'deflate'),
    }),
  },
);

/** Header values node will send: printable ASCII, and UTF-8 bytes passed through as they are (latin1). */
const headerText: fc.Arbitrary<string> = oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fuzzText.map((text) => Buffer.from([...text].filter((char) => !isControl(char)).join(''), 'utf8').toString('latin1')),
  fc.integer({ min: 129, max: 1000 }).map((length) => 'a'.repeat(length)),
);

function oddHeaders(context: FuzzContext, admin: boolean): fc.Arbitrary<Record<string, string>> {
  const pooled = fc.constantFrom(...context.conversationIds);
  const key = context.adminKey;
  return fc.record(
    {
      'X-Request-Id': oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), headerText, fc.constant('')),
      Cookie: oneof(
        pooled.map((id) => `combot_sid=${id}`),
        fc.uuid().map((id) => `combot_sid=${id}`),
        pooled.map((id) => `combot_sid=junk; combot_sid=${id}; other=<script>`),
        headerText.map((text) => `combot_sid=${text}`),
        fc.constantFrom('combot_sid=%E0%A4%A', 'combot_sid=j:{"a":1}', 'combot_sid=s:abc.def', '=;=;;', 'combot_sid'),
        headerText,
      ),
      Origin: oneof(
        fc.constantFrom(
          context.allowedOrigin,
          'http://evil.test',
          'null',
          `${context.allowedOrigin}.evil.test`,
          context.allowedOrigin.replace('http:', 'https:'),
          context.allowedOrigin.toUpperCase(),
          `${context.allowedOrigin}:3000`,
          'file://',
        ),
        headerText,
      ),
      'X-Forwarded-For': oneof(
        fc.constantFrom('1.2.3.4', '1.2.3.4, 5.6.7.8', '::1', 'unknown', '999.999.999.999', ' , , '),
        headerText,
      ),
      Authorization: oneof(
        admin
          ? fc.constantFrom(`Bearer ${key}`, `bearer ${key}`, `Bearer ${key} `, `BEARER  ${key}`)
          : fc.constant('Bearer'),
        fc.constantFrom('Bearer ', 'Basic YWRtaW46YWRtaW4=', 'Bearer null', ''),
        headerText.map((text) => `Bearer ${text}`),
        headerText,
      ),
      // On admin routes the right key is the likeliest value, so the export and the dashboard get past the guard.
      'X-Api-Key': oneof(
        { weight: admin ? 6 : 1, arbitrary: admin ? fc.constant(key) : fc.constant('x') },
        admin ? fc.constantFrom(key.toUpperCase(), `${key} `, key.slice(0, -1)) : fc.constant('y'),
        headerText,
        fc.constant(''),
      ),
    },
    { requiredKeys: [] },
  );
}

/**
 * Whether the headers carry the admin key the way the guard reads them (X-Api-Key first, then a Bearer token: the
 * scheme in any letter case, one or more spaces, the token), after node's parser has trimmed the whitespace around
 * each value as HTTP says.
 */
export function carriesAdminKey(headers: Record<string, string>, adminKey: string): boolean {
  const apiKey = headers['X-Api-Key']?.trim();
  if (apiKey !== undefined && apiKey.length > 0) return apiKey === adminKey;
  const auth = headers.Authorization?.trim();
  return auth !== undefined && /^bearer +(\S+)$/i.exec(auth)?.[1] === adminKey;
}

const queryKey = oneof(
  fc.constantFrom('a', 'a[]', 'a[b]', 'format', 'status', 'since', '__proto__', 'constructor', 'toString', ''),
  fuzzText.map(percentEncode),
);
const queryValue = oneof(
  fc.constantFrom('', 'x', '%', '%zz', '%E0%A4%A', '%00', '%C0%AF', '%ED%A0%80', '+', '%2B', 'csv', 'jsonl'),
  fuzzText.map(percentEncode),
  fc.integer({ min: 100, max: 3000 }).map((length) => 'v'.repeat(length)),
);

/** A query string: none, or repeated keys, `a[]=`, long values and broken percent-encoding. */
const query: fc.Arbitrary<string> = oneof(
  { weight: 5, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(queryKey, oneof({ weight: 7, arbitrary: queryValue }, fc.constant(null))), {
        minLength: 1,
        maxLength: 6,
      })
      .map((pairs) => `?${pairs.map(([key, value]) => (value === null ? key : `${key}=${value}`)).join('&')}`),
  },
);

/** A path segment that routing and decoding may choke on. */
const junkSegment: fc.Arbitrary<string> = oneof(
  fc.webSegment(),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '..', '.', '%2e%2e', '%C0%AF', '%ED%A0%80', ';x=1', '*', '~'),
  fuzzText.map(percentEncode),
  fc.integer({ min: 100, max: 1500 }).map((length) => 'z'.repeat(length)),
);

const slash = fc.constantFrom('', '/');

// ---------------------------------------------------------------- the route groups

interface CaseParts {
  route: string;
  method: string;
  path: string;
  body: BodySpec | null;
  rules: CaseRules;
}

/**
 * Node answers a request line and headers over 16 KB itself (431, no body) before the app sees them: paths stay
 * under this, headers under 6 × 1,000 bytes. Request targets stay ASCII for the same reason (node's parser refuses
 * raw bytes above 0x7f with a bare 400): what reaches the app is percent-encoded.
 */
const MAX_PATH_LENGTH = 6000;

/**
 * Adds the headers, Content-Type and Content-Encoding every request may carry. Everything is drawn side by side and
 * combined in a map (no chain), so fast-check can shrink each part on its own.
 */
function dressed(context: FuzzContext, parts: fc.Arbitrary<CaseParts>, admin = false): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      part: parts.filter((part) => part.path.length <= MAX_PATH_LENGTH),
      headers: oddHeaders(context, admin),
      type: oneof({ weight: 7, arbitrary: contentType }, fc.constant(null)),
      encoding,
    })
    .map(({ part, headers, type, encoding: contentEncoding }): FuzzCase => {
      const all = type === null ? headers : { ...headers, 'Content-Type': type };
      return {
        route: part.route,
        method: part.method,
        path: part.path,
        headers: all,
        body: part.body,
        encoding: part.body ? contentEncoding : null,
        rules:
          part.rules.admin && carriesAdminKey(all, context.adminKey) ? { ...part.rules, admin: false } : part.rules,
      };
    });
}

const ENTRIES = ['random', 'chatbot', 'lulu'] as const;

function chatTurnGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return dressed(
    context,
    fc
      .record({ entry: fc.constantFrom(...ENTRIES), slash, query, body: bodyAround(chatTurnBody(context)) })
      .map(({ entry, slash: end, query: search, body }) => ({
        route: `POST /api/${entry}`,
        method: 'POST',
        path: `/api/${entry}${end}${search}`,
        body,
        rules: { success: 'json', chatTurn: true },
      })),
  );
}

function chatPromptGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return dressed(
    context,
    fc
      .record({
        entry: fc.constantFrom(...ENTRIES),
        kind: fc.constantFrom('initial', 'closing'),
        slash,
        query,
        body: strayBody,
      })
      .map(({ entry, kind, slash: end, query: search, body }) => ({
        route: `GET /api/${entry}/${kind}`,
        method: 'GET',
        path: `/api/${entry}/${kind}${end}${search}`,
        body,
        rules: { success: 'json', chatPrompt: true },
      })),
  );
}

function resetGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return dressed(
    context,
    fc
      .record({
        method: oneof({ weight: 2, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'HEAD')),
        slash,
        query,
        body: sometimes(bodyAround(anyJson), 3),
      })
      .map(({ method, slash: end, query: search, body }) => ({
        route: `${method} /api/random/reset`,
        method,
        path: `/api/random/reset${end}${search}`,
        body,
        // A cross-site GET (or HEAD) must never change state: designed answer 405 with `Allow: POST`.
        rules: method === 'POST' ? { success: 'json' } : { success: 'json', refusedWith: 405 },
      })),
  );
}

function classifyGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const textBody = withExtraKeys(fc.record({ text: mutated(messageText) }));
  const batchBody = withExtraKeys(fc.record({ texts: mutated(fc.array(mutated(messageText), { maxLength: 40 })) }));
  const endpoint = (name: string, shape: fc.Arbitrary<JsonObject>) =>
    fc.record({ slash, query, body: bodyAround(shape) }).map(({ slash: end, query: search, body }) => ({
      route: `POST /api/ml/${name}`,
      method: 'POST',
      path: `/api/ml/${name}${end}${search}`,
      body,
      rules: { success: 'json' as const },
    }));
  return dressed(
    context,
    oneof(endpoint('classify', textBody), endpoint('classify/batch', batchBody), endpoint('classify/async', textBody)),
  );
}

function statusAndJobsGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const queue = oneof({ weight: 4, arbitrary: fc.constantFrom('ml', 'maintenance') }, junkSegment);
  const jobId = oneof(
    { weight: 3, arbitrary: fc.constantFrom(...context.jobIds) },
    { weight: 2, arbitrary: fc.nat().map(String) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'repeat:x', '0', '-1', '1e3', '99999999999999999999'),
    },
    { weight: 2, arbitrary: junkSegment },
  );
  const jobs = fc.record({ queue, id: jobId, slash }).map(({ queue: name, id, slash: end }) => ({
    route: 'GET /api/jobs/:queue/:id',
    path: `/api/jobs/${name}/${id}${end}`,
  }));
  const status = slash.map((end) => ({ route: 'GET /api/ml/status', path: `/api/ml/status${end}` }));
  return dressed(
    context,
    fc.record({ target: oneof(jobs, status), query, body: strayBody }).map(({ target, query: search, body }) => ({
      route: target.route,
      method: 'GET',
      path: `${target.path}${search}`,
      body,
      rules: { success: 'json' },
    })),
  );
}

function healthGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return dressed(
    context,
    fc
      .record({ probe: fc.constantFrom('', '/live', '/ready'), slash, query, body: strayBody })
      .map(({ probe, slash: end, query: search, body }) => ({
        route: `GET /api/health${probe}`,
        method: 'GET',
        path: `/api/health${probe}${end}${search}`,
        body,
        rules: { success: 'json' },
      })),
  );
}

function metricsGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return dressed(
    context,
    fc
      .record({ performance: fc.boolean(), slash, query, body: strayBody })
      .map(({ performance, slash: end, query: search, body }) => ({
        route: performance ? 'GET /api/metrics/performance' : 'GET /api/metrics',
        method: 'GET',
        path: `/api/metrics${performance ? '/performance' : ''}${end}${search}`,
        body,
        rules: { success: performance ? 'json' : 'prometheus' },
      })),
  );
}

const validInstant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** ISO dates the export must take, and dates and words it must refuse without a 5xx. */
const since = oneof(
  validInstant,
  fc.constantFrom('2025-01-31', '-4714-01-01', '9999-12-31T23:59:59Z', '2020-02-30', 'yesterday', '1e5', '', '%zz'),
);

/**
 * A query string from `params` (each present or not, its value percent-encoded), once in `oneIn` draws with its first
 * pair repeated (an array value) and, as often, with stray pairs after it.
 */
function searchOf(params: Record<string, fc.Arbitrary<string>>, oneIn = 2): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.record(params, { requiredKeys: [] }),
      sometimes(fc.constant(true), oneIn),
      sometimes(
        query.map((search) => search.slice(1)),
        oneIn,
      ),
    )
    .map(([values, repeat, extra]) => {
      const pairs = Object.entries(values)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${percentEncode(String(value))}`);
      if (repeat && pairs.length > 0) pairs.push(pairs[0]);
      if (extra) pairs.push(extra);
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

/** A query value the route takes four times in five (the first listed once it shrinks), else one it must refuse. */
function mostly(valid: readonly string[], invalid: readonly string[]): fc.Arbitrary<string> {
  return oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, fc.constantFrom(...invalid));
}

const ORIGIN = mostly(['greeting', 'no_greeting', ''], ['GREETING', 'load_test', 'greeting,no_greeting', '%00']);
const LEVEL = mostly(['High', 'Low', ''], ['high', 'Medium']);

/**
 * The study console's JSON endpoints behind the admin key, each with its own query parameters, mostly valid: the
 * panels' origin, the funnel's byArm, the timeline's bucket, since and zone (names PostgreSQL knows, names it does
 * not, text shaped to break SQL), the browser's filters, cursor (valid-shaped, random, text) and limit; a transcript
 * by a pooled, unknown or malformed id.
 */
function consoleGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const panel = (name: string, params: Record<string, fc.Arbitrary<string>>) =>
    fc.record({ slash, search: searchOf(params, 6) }).map(({ slash: end, search }) => ({
      route: `GET /api/admin/study/${name}`,
      path: `/api/admin/study/${name}${end}${search}`,
    }));
  const instant = oneof({ weight: 4, arbitrary: validInstant }, since);
  const cursor = oneof(
    fc
      .tuple(fc.date({ noInvalidDate: true }), fc.uuid())
      .map(([at, id]) => Buffer.from(`${at.toISOString().replace('Z', '000Z')}|${id}`).toString('base64url')),
    fc.base64String({ maxLength: 80 }).map((text) => text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
    fuzzText,
  );
  const transcript = oneof(fc.constantFrom(...context.conversationIds), fc.uuid(), junkSegment).map((id) => ({
    route: 'GET /api/admin/study/conversations/:id',
    path: `/api/admin/study/conversations/${id}`,
  }));
  const target = oneof(
    panel('arms', { origin: ORIGIN }),
    panel('funnel', { byArm: mostly(['true', 'false', ''], ['TRUE', '1', 'yes']), origin: ORIGIN }),
    panel('labels', { origin: ORIGIN }),
    panel('timeline', {
      bucket: mostly(['day', 'hour', ''], ['week', 'Day']),
      since: instant,
      tz: oneof(
        { weight: 3, arbitrary: fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns') },
        fc.constantFrom('Mars/Olympus_Mons', 'europe/berlin', "UTC'; --", '+01:00', '', 'A'.repeat(65)),
        fuzzText,
      ),
      origin: ORIGIN,
    }),
    panel('durations', { origin: ORIGIN }),
    panel('service', {}),
    panel('conversations', {
      brand: mostly(['Basic', 'Lulu', ''], ['lulu', 'Acme']),
      thinkLevel: LEVEL,
      feelLevel: LEVEL,
      status: mostly(['completed', 'abandoned', 'in_progress', ''], ['bogus', 'Completed']),
      abandonReason: mostly(['idle', 'reset', 'erased', ''], ['timeout']),
      label: mostly(['A', 'B', 'C', 'Other', 'unclassified', ''], ['Z', 'a']),
      origin: ORIGIN,
      since: instant,
      until: instant,
      cursor: sometimes(cursor, 3).map((value) => value ?? ''),
      limit: mostly(['1', '25', '100', ''], ['0', '101', '-1', '1e2', '2.5', 'abc']),
    }),
    transcript,
  );
  return dressed(
    context,
    fc.record({ target, body: strayBody }).map(({ target: chosen, body }) => ({
      route: chosen.route,
      method: 'GET',
      path: chosen.path,
      body,
      rules: { success: 'console', admin: true },
    })),
    true,
  );
}

function adminGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const exportQuery = searchOf({
    format: fc.constantFrom('csv', 'jsonl', 'CSV', 'xml', ''),
    // Mostly filtered: an unfiltered export streams every conversation the fuzzer created.
    status: oneof(
      { weight: 3, arbitrary: fc.constant('completed') },
      fc.constantFrom('abandoned', 'in_progress', 'bogus', ''),
    ),
    since,
  });
  const exportCase = fc.record({ slash, search: exportQuery }).map(({ slash: end, search }) => ({
    route: 'GET /api/admin/conversations/export',
    path: `/api/admin/conversations/export${end}${search}`,
    success: 'export' as const,
  }));
  // bull-board's page and its read-only API; its PUT actions (pause, clean, retry) are not fuzzed.
  const dashboardCase = fc
    .record({
      sub: oneof(
        fc.constantFrom('', '/', '/queue/ml', '/api/queues', '/api/redis/stats', '/api/queues/nosuch/1'),
        fc.constantFrom(...context.jobIds).map((id) => `/api/queues/ml/${id}`),
        junkSegment.map((segment) => `/${segment}`),
      ),
      search: query,
    })
    .map(({ sub, search }) => ({
      route: 'GET /api/admin/queues',
      path: `/api/admin/queues${sub}${search}`,
      success: 'dashboard' as const,
    }));
  return dressed(
    context,
    fc.record({ target: oneof(exportCase, dashboardCase), body: strayBody }).map(({ target, body }) => ({
      route: target.route,
      method: 'GET',
      path: target.path,
      body,
      rules: { success: target.success, admin: true },
    })),
    true,
  );
}

const KNOWN_PATHS = [
  '/api/random',
  '/api/random/initial',
  '/api/random/closing',
  '/api/chatbot',
  '/api/lulu/initial',
  '/api/ml/classify',
  '/api/ml/status',
  '/api/jobs/ml/1',
  '/api/health',
  '/api/metrics',
  '/api/admin/conversations/export',
] as const;

function unknownGroup(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND');
  const unknownPath = fc
    .oneof(
      fc.array(junkSegment, { minLength: 1, maxLength: 4 }).map((segments) => `/api/${segments.join('/')}`),
      fc.array(junkSegment, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join('/')}`),
      fc.constantFrom(
        '/',
        '//api//health',
        '/api/./health',
        '/api/health/../random/initial',
        '/api/health%2Flive',
        '/api/health;x=1',
        '/api/random/initial%00',
        '/api/',
        '/api',
      ),
    )
    // Swagger's page and assets are a documented HTML route, not an unknown one.
    .filter((path) => !/^\/api\/docs/i.test(path));
  // Known paths under a method they do not take.
  const wrongMethod = fc
    .tuple(fc.constantFrom(...KNOWN_PATHS), fc.constantFrom('PUT', 'PATCH', 'DELETE', 'TRACE'))
    .map(([path, verb]) => ({ path, verb }));
  return dressed(
    context,
    fc
      .record({
        target: oneof(fc.record({ path: unknownPath, verb: method }), wrongMethod),
        search: query,
        body: sometimes(bodyAround(anyJson), 2),
      })
      .map(({ target, search, body }) => ({
        route: `${target.verb} (unknown route)`,
        method: target.verb,
        path: `${target.path}${search}`,
        body,
        rules: { success: 'json' },
      })),
  );
}

/** The route families, in the order they run. */
export const ROUTE_GROUP_NAMES = [
  'chat-turn',
  'chat-prompts',
  'reset',
  'classify',
  'status-and-jobs',
  'health',
  'metrics',
  'admin',
  'console',
  'unknown',
] as const;

export type RouteGroupName = (typeof ROUTE_GROUP_NAMES)[number];

/** Every route family the fuzzer visits. */
export function routeGroups(context: FuzzContext): (RouteGroup & { name: RouteGroupName })[] {
  return [
    { name: 'chat-turn', weight: 3, arbitrary: chatTurnGroup(context) },
    { name: 'chat-prompts', weight: 1, arbitrary: chatPromptGroup(context) },
    { name: 'reset', weight: 1, arbitrary: resetGroup(context) },
    { name: 'classify', weight: 2, arbitrary: classifyGroup(context) },
    { name: 'status-and-jobs', weight: 1, arbitrary: statusAndJobsGroup(context) },
    { name: 'health', weight: 0.5, arbitrary: healthGroup(context) },
    { name: 'metrics', weight: 0.5, arbitrary: metricsGroup(context) },
    { name: 'admin', weight: 1, arbitrary: adminGroup(context) },
    { name: 'console', weight: 1, arbitrary: consoleGroup(context) },
    { name: 'unknown', weight: 1.5, arbitrary: unknownGroup(context) },
  ];
}
