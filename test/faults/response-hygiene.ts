import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * Text no answer may carry, whatever its status: it tells a participant (or an attacker) how the service is
 * built and where it runs. Each names what it catches so a failure says what leaked.
 */
const LEAKS: { name: string; pattern: RegExp }[] = [
  // A frame is `at fn (file:line:col)`; in a JSON body its line break is the two characters \n.
  { name: 'a stack trace', pattern: /(?:\\n|\n)\s+at \S|\bat \S+ \((?:node:|\/|file:)/u },
  {
    name: 'a file path',
    pattern:
      /node_modules|dist\/src|file:\/\/|\.(?:ts|js|mjs|cjs):\d+|(?:^|["\s(=])\/(?:home|root|tmp|usr|var|opt|srv|etc|proc)\//u,
  },
  {
    name: 'SQL',
    pattern:
      /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE FROM\b|relation "|duplicate key value|violates \w+ (?:key )?constraint|syntax error at/u,
  },
  {
    name: 'driver text',
    pattern:
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|Stream isn't writeable|QueryFailedError|timeout exceeded|Connection terminated|terminating connection|the database system is|Client has encountered a connection error|Connection is closed|MaxRetriesPerRequestError|ReplyError/u,
  },
  { name: 'a host and port', pattern: /(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]):\d+/u },
  { name: 'a connection URL', pattern: /\b(?:postgres(?:ql)?|redis):\/\//u },
];

/** Paths of this run that must never appear in an answer (the checkout, the temp folder the servers use). */
const MACHINE_PATHS = [REPO, os.tmpdir()].filter((value) => value.length > 1);

/** The fields every error body has (house style: one error shape for every status). */
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
}

function isErrorBody(value: unknown, status: number): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    body.statusCode === status &&
    typeof body.code === 'string' &&
    /^[A-Z]+\.[A-Z_]+$/u.test(body.code) &&
    typeof body.message === 'string' &&
    typeof body.requestId === 'string' &&
    body.requestId.length > 0
  );
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `code` of an error body, or null. */
export function errorCodeOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const code = (body as Record<string, unknown>).code;
  return typeof code === 'string' ? code : null;
}

/**
 * Rule 1 for one answer: a 5xx is only ever a coded 503 that says when to come back, and no body (any status)
 * leaks internals. Returns what is wrong, empty when nothing is.
 */
export function responseProblems(
  status: number,
  retryAfter: string | null,
  text: string,
  { leaks = true }: { leaks?: boolean } = {},
): string[] {
  const problems: string[] = [];
  if (status >= 500) {
    if (status !== 503) problems.push(`a ${status} (only a coded 503 may be a 5xx)`);
    if (!isErrorBody(parseJson(text), status))
      problems.push('a 5xx without the {statusCode, code, message, requestId} body');
    if (retryAfter === null || !/^\d+$/u.test(retryAfter) || Number(retryAfter) < 1)
      problems.push(`a 5xx without a Retry-After of whole seconds (got ${retryAfter ?? 'none'})`);
  }
  if (!leaks) return problems;
  for (const { name, pattern } of LEAKS) {
    const match = pattern.exec(text);
    if (match) problems.push(`${name} in the body ("${match[0].trim().slice(0, 60)}")`);
  }
  for (const machinePath of MACHINE_PATHS) {
    if (text.includes(machinePath)) problems.push('a machine path in the body');
  }
  return problems;
}
