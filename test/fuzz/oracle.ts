import { bodyBytes, type FuzzCase, percentDecoded } from './fuzz-case';
import { stringsOf } from './json-text';
import type { RawRequest, RawResponse } from './raw-http';

/** One broken rule: `rule` names it (stable, for grouping), `detail` says what was seen. */
export interface Violation {
  rule: string;
  detail: string;
}

export interface OracleOptions {
  allowedOrigins: readonly string[];
}

const ERROR_CODE = /^[A-Z]+\.[A-Z_]+$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * What must never reach a client: stack frames, source paths, SQL and driver messages, runtime error names. A match
 * counts only when the request did not carry the same text itself (error messages may quote the request).
 */
const LEAKS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'stack trace', pattern: /\n\s+at [^\n]*[(:]/ },
  { name: 'source path', pattern: /\/src\/|\/dist\/|node_modules/ },
  { name: 'SQL', pattern: /\bSELECT\b|\bINSERT\b|\bUPDATE conversation\b/ },
  {
    name: 'driver message',
    pattern: /QueryFailedError|invalid byte sequence|violates|ECONNREFUSED|relation "|syntax error at or near/,
  },
  { name: 'runtime error', pattern: /Maximum call stack|TypeError:|RangeError:|ReferenceError:|Z_DATA_ERROR/ },
];

/** The only markup a chat reply may hold: the survey link, built from an escaped template. */
const SURVEY_ANCHOR = /<a href="https?:\/\/[^"<>]*" target="_blank" rel="noopener noreferrer">[^<>]*<\/a>/;

function header(response: RawResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Everything the request carried as text, decoded every way the server might have decoded it. */
function requestTexts(fuzzCase: FuzzCase, request: RawRequest): string[] {
  const texts = [request.path, percentDecoded(request.path), ...Object.values(request.headers).flat()];
  if (fuzzCase.body) {
    texts.push(bodyBytes(fuzzCase.body).toString('utf8'));
    if (fuzzCase.body.kind === 'json') texts.push(...stringsOf(fuzzCase.body.value));
  }
  return texts;
}

/** The texts of a response to search for leaks: its strings when it is JSON (so escapes are undone), else its text. */
function responseTexts(response: RawResponse, json: unknown): string[] {
  return json === undefined ? [response.text] : [response.text, ...stringsOf(json)];
}

function checkLeaks(fuzzCase: FuzzCase, request: RawRequest, response: RawResponse, json: unknown): Violation[] {
  // The export, the dashboard and the console's transcripts show stored participant text and job data to the admin by
  // design.
  if (response.status < 300 && ['export', 'dashboard', 'console'].includes(fuzzCase.rules.success)) return [];
  const haystack = responseTexts(response, json);
  let sent: string[] | null = null;
  const violations: Violation[] = [];
  for (const { name, pattern } of LEAKS) {
    const found = haystack.map((text) => pattern.exec(text)?.[0]).find((match) => match !== undefined);
    if (found === undefined) continue;
    sent ??= requestTexts(fuzzCase, request);
    if (sent.some((text) => text.includes(found))) continue;
    violations.push({ rule: `leak: ${name}`, detail: `the response holds ${JSON.stringify(found)}` });
  }
  return violations;
}

/**
 * bull-board's own JSON API (its page's private protocol, behind the admin key) answers a 4xx in its own shape
 * (`{"error":{"key":"ERRORS.QUEUE_NOT_FOUND"}}`), which its page reads: rewriting it would break the dashboard. Such
 * answers are still held to every other rule (below 500, no leaks).
 */
function isDashboardApiError(fuzzCase: FuzzCase, status: number): boolean {
  return fuzzCase.rules.success === 'dashboard' && status < 500 && /^\/api\/admin\/queues\/api\//.test(fuzzCase.path);
}

function checkErrorBody(response: RawResponse, json: unknown): Violation[] {
  const type = header(response, 'content-type') ?? '';
  if (!/^application\/json/.test(type)) {
    return [{ rule: 'error body is JSON', detail: `Content-Type ${JSON.stringify(type)}, body ${preview(response)}` }];
  }
  if (!isRecord(json)) return [{ rule: 'error body is JSON', detail: `body ${preview(response)}` }];
  const problems: string[] = [];
  if (json.statusCode !== response.status) problems.push(`statusCode ${String(json.statusCode)}`);
  if (typeof json.code !== 'string' || !ERROR_CODE.test(json.code)) problems.push(`code ${JSON.stringify(json.code)}`);
  if (typeof json.message !== 'string') problems.push('no message');
  if (typeof json.requestId !== 'string' || json.requestId.length === 0) problems.push('no requestId');
  else if (json.requestId !== header(response, 'x-request-id')) problems.push('requestId is not the X-Request-Id');
  return problems.length
    ? [{ rule: 'error body shape', detail: `${problems.join(', ')} in ${preview(response)}` }]
    : [];
}

function checkSuccessBody(fuzzCase: FuzzCase, response: RawResponse, json: unknown): Violation[] {
  if (fuzzCase.method === 'HEAD' || response.status === 204) return [];
  const type = header(response, 'content-type') ?? '';
  const expected = {
    json: /^application\/json/,
    console: /^application\/json/,
    export: /^(text\/csv|application\/x-ndjson)/,
    prometheus: /^text\/plain/,
    // The dashboard is a web page with its scripts, styles and JSON API.
    dashboard: /^(text\/html|application\/json|application\/javascript|text\/javascript|text\/css|image\/)/,
  }[fuzzCase.rules.success];
  if (!expected.test(type)) {
    return [{ rule: 'success body type', detail: `Content-Type ${JSON.stringify(type)} for ${fuzzCase.route}` }];
  }
  if (/^application\/json/.test(type) && json === undefined) {
    return [{ rule: 'success body type', detail: `not JSON: ${preview(response)}` }];
  }
  return [];
}

/** No raw markup in what the chat sends back, except the one survey-link anchor of an `isHtml` reply. */
function checkChat(fuzzCase: FuzzCase, response: RawResponse, json: unknown): Violation[] {
  if (response.status !== 200 || !isRecord(json)) return [];
  const violations: Violation[] = [];
  if (fuzzCase.rules.chatTurn) {
    const { reply, index, scenario, isHtml } = json;
    if (typeof reply !== 'string' || reply.length === 0)
      violations.push({ rule: 'chat reply shape', detail: 'no reply' });
    else {
      const rest = isHtml === true ? reply.replace(SURVEY_ANCHOR, '') : reply;
      if (/[<>]/.test(rest))
        violations.push({ rule: 'chat reply markup', detail: JSON.stringify(reply.slice(0, 300)) });
    }
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > 7) {
      violations.push({ rule: 'chat reply shape', detail: `index ${JSON.stringify(index)}` });
    }
    if (!isRecord(scenario) || typeof scenario.conversation_id !== 'string' || !UUID.test(scenario.conversation_id)) {
      violations.push({ rule: 'chat reply shape', detail: `scenario ${JSON.stringify(scenario)}` });
    }
  }
  if (fuzzCase.rules.chatPrompt) {
    const { message } = json;
    if (typeof message !== 'string' || message.length === 0) {
      violations.push({ rule: 'chat prompt shape', detail: 'no message' });
    } else if (/[<>]/.test(message)) {
      violations.push({ rule: 'chat prompt markup', detail: JSON.stringify(message.slice(0, 300)) });
    }
  }
  return violations;
}

/** Credentialed CORS only for listed origins, echoed exactly, never `*`. */
function checkCors(request: RawRequest, response: RawResponse, options: OracleOptions): Violation[] {
  const allowOrigin = header(response, 'access-control-allow-origin');
  if (allowOrigin === undefined) return [];
  // Node trims the whitespace around a header value before the app reads it.
  const sent = request.headers.Origin;
  const origin = typeof sent === 'string' ? sent.trim() : sent;
  if (allowOrigin === '*' || allowOrigin !== origin || !options.allowedOrigins.includes(allowOrigin)) {
    return [{ rule: 'CORS', detail: `Origin ${JSON.stringify(origin)} allowed as ${JSON.stringify(allowOrigin)}` }];
  }
  return [];
}

/** The conversation cookie is HttpOnly and scoped to the API. */
function checkCookies(response: RawResponse): Violation[] {
  const cookies = response.headers['set-cookie'] ?? [];
  return cookies
    .filter((cookie) => cookie.startsWith('combot_sid='))
    .filter((cookie) => !/;\s*HttpOnly/i.test(cookie) || !/;\s*Path=\/api(;|$)/i.test(cookie))
    .map((cookie) => ({ rule: 'cookie flags', detail: cookie }));
}

/** Every answer names its request: a well-formed incoming id echoed, anything else replaced. */
function checkRequestId(request: RawRequest, response: RawResponse): Violation[] {
  const id = header(response, 'x-request-id');
  const incoming = request.headers['X-Request-Id'];
  if (id === undefined || !REQUEST_ID.test(id)) {
    return [{ rule: 'X-Request-Id', detail: `answered ${JSON.stringify(id)}` }];
  }
  if (typeof incoming === 'string' && REQUEST_ID.test(incoming) && incoming !== id) {
    return [{ rule: 'X-Request-Id', detail: `sent ${JSON.stringify(incoming)}, answered ${JSON.stringify(id)}` }];
  }
  return [];
}

function preview(response: RawResponse): string {
  return JSON.stringify(response.text.slice(0, 300));
}

/** Every property one answer must have, given the request that produced it. */
export function checkResponse(
  fuzzCase: FuzzCase,
  request: RawRequest,
  response: RawResponse,
  options: OracleOptions,
): Violation[] {
  const { status } = response;
  const parsed = response.body.length > 0 ? parseJson(response.text) : { ok: false as const };
  const json = parsed.ok ? parsed.value : undefined;
  const code = isRecord(json) && typeof json.code === 'string' ? json.code : undefined;
  const violations: Violation[] = [];

  // Healthy dependencies: no 5xx at all, except the semaphore's documented backpressure.
  if (status >= 500 && !(status === 503 && code === 'ML.OVERLOADED')) {
    violations.push({ rule: 'status < 500', detail: `${status} ${code ?? ''} ${preview(response)}` });
  }
  if (status >= 300 && status < 400) {
    violations.push({ rule: 'no redirect', detail: `${status} to ${String(header(response, 'location'))}` });
  }
  const { refusedWith } = fuzzCase.rules;
  if (refusedWith !== undefined && (status < 400 || (fuzzCase.body === null && status !== refusedWith))) {
    violations.push({
      rule: `${fuzzCase.method} refused with ${refusedWith}`,
      detail: `${status} ${preview(response)}`,
    });
  }
  if (fuzzCase.rules.admin && status < 300) {
    violations.push({ rule: 'admin key required', detail: `${status} without the key` });
  }
  if (status >= 400 && fuzzCase.method !== 'HEAD' && !isDashboardApiError(fuzzCase, status)) {
    violations.push(...checkErrorBody(response, json));
  }
  if (status < 300) {
    violations.push(...checkSuccessBody(fuzzCase, response, json), ...checkChat(fuzzCase, response, json));
  }
  violations.push(
    ...checkLeaks(fuzzCase, request, response, json),
    ...checkCors(request, response, options),
    ...checkCookies(response),
    ...checkRequestId(request, response),
  );
  return violations;
}
