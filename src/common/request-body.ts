import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { invalidInput } from './validation';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * The one body type the API reads. JSON from another origin needs a CORS preflight, which the allow-list answers;
 * a form or text body does not, so taking one would let any page a participant visits post into their conversation.
 */
export const JSON_BODY_TYPE = 'application/json';

/** The `charset` parameter of a Content-Type, unquoted, if it has one. */
const charsetOf = (contentType: string | undefined): string | undefined =>
  /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];

/** `type/subtype` of a Content-Type, without parameters, in lower case. */
const mediaTypeOf = (contentType: string): string => contentType.split(';', 1)[0].trim().toLowerCase();

/** Every body the API reads is one JSON object: the refusal of any other JSON value, wherever it is noticed. */
const NOT_AN_OBJECT_MESSAGE = 'The request body must be a JSON object.';

const UNSUPPORTED_CHARSET_MESSAGE = 'The request body has a charset the API does not read.';

const UNSUPPORTED_ENCODING_MESSAGE =
  'The request body has a Content-Encoding the API does not take (gzip, deflate, br or identity).';

const UNSUPPORTED_TRANSFER_CODING_MESSAGE =
  'The request body has a Transfer-Encoding the API does not take (chunked only; compress with Content-Encoding).';

/** Methods whose body the API may read; a body on any other is ignored, as HTTP allows. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Content-Encodings the API decodes (an empty header is identity, as body-parser reads it). Named here rather
 * than left to body-parser, which also decodes zstd wherever the runtime's zlib has it (Node 22.15+): the API takes
 * the same set on every runtime, and the one its documentation names.
 */
const BODY_ENCODINGS = new Set(['gzip', 'deflate', 'br', 'identity', '']);

/** Whether a request says it carries a body (a length other than 0, or chunks). */
function declaresBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Why the API refuses a request's body by its headers alone: a body that is not JSON (a Content-Type other than
 * `application/json`, or a body with no Content-Type; a request without a body and without a Content-Type, a bare
 * POST, passes), or a JSON body in a Content-Encoding outside `BODY_ENCODINGS` (a request without a body is not read,
 * whatever its headers say). Undefined when the API reads it.
 */
function bodyTypeRefusal(request: IncomingMessage): AppError | undefined {
  if (!BODY_METHODS.has(request.method ?? '')) return undefined;
  const type = request.headers['content-type'];
  const hasBody = declaresBody(request);
  if (type === undefined ? hasBody : mediaTypeOf(type) !== JSON_BODY_TYPE) {
    return new AppError(
      ErrorCode.UnsupportedMediaType,
      `The request body must be JSON (Content-Type: ${JSON_BODY_TYPE}).`,
      type === undefined ? {} : { details: { contentType: type.slice(0, 100) } },
    );
  }
  const charset = charsetOf(type);
  // The JSON parser reads the UTF encodings only (as body-parser does); any other would be refused once read.
  if (hasBody && charset !== undefined && !/^utf-/i.test(charset)) {
    return new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_CHARSET_MESSAGE, {
      details: { charset: charset.slice(0, 40) },
    });
  }
  // Node's parser takes a transfer coding before the final `chunked` (`gzip, chunked`) and hands over the body with
  // that coding still applied: read as JSON it would be taken as if the coding were not there. Only chunks are read.
  const transfer = request.headers['transfer-encoding'];
  if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked') {
    return new AppError(ErrorCode.UnsupportedEncoding, UNSUPPORTED_TRANSFER_CODING_MESSAGE, {
      details: { transferEncoding: transfer.slice(0, 100) },
    });
  }
  const encoding = request.headers['content-encoding'];
  if (!hasBody || encoding === undefined || BODY_ENCODINGS.has(encoding.trim().toLowerCase())) return undefined;
  return new AppError(ErrorCode.UnsupportedEncoding, UNSUPPORTED_ENCODING_MESSAGE);
}

/**
 * A refusal decided before a byte of the body is read: the answer closes the connection, which would otherwise stay
 * busy with the unread body (it cannot be skipped).
 */
function refuseUnread(request: IncomingMessage, response: ServerResponse, next: NextFunction, refusal: AppError): void {
  if (declaresBody(request)) response.setHeader('Connection', 'close');
  next(refusal);
}

/** Refuses, before anything reads it, a body the API does not take by its type or encoding (`bodyTypeRefusal`). */
export function onlyJsonBodies(request: IncomingMessage, response: ServerResponse, next: NextFunction): void {
  const refusal = bodyTypeRefusal(request);
  if (refusal === undefined) return next();
  refuseUnread(request, response, next, refusal);
}

/**
 * The refusal of a body whose Content-Length is over the limit, decided before a byte of it is read. body-parser
 * would refuse it too, but only after reading (and discarding) the whole of it, to keep the connection usable: a
 * client that declares 100 GB, or declares 200 KB and sends nothing, would hold the request until the request
 * timeout. An encoded body's limit applies to its decoded bytes: refused here only when even its encoded length says
 * it is over, else left to body-parser.
 */
function oversizeRefusal(limitBytes: number): (request: IncomingMessage) => AppError | undefined {
  // gzip, deflate and brotli grow what they cannot compress by well under 1 % plus a few bytes of framing: an encoded
  // body declared longer than this decodes to more than the limit, whatever it holds.
  const encodedBound = limitBytes + Math.ceil(limitBytes / 100) + 1024;
  return (request) => {
    const length = Number(request.headers['content-length'] ?? 0);
    const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!(length > (['identity', ''].includes(encoding) ? limitBytes : encodedBound))) return undefined;
    return new AppError(ErrorCode.PayloadTooLarge, `The request body is larger than the limit of ${limitBytes} bytes.`);
  };
}

/** Refuses a body declared over the limit (`oversizeRefusal`) at once, closing the connection. */
export function refuseDeclaredOversize(limitBytes: number) {
  const refusalOf = oversizeRefusal(limitBytes);
  return (request: IncomingMessage, response: ServerResponse, next: NextFunction): void => {
    const refusal = refusalOf(request);
    if (refusal === undefined) return next();
    refuseUnread(request, response, next, refusal);
  };
}

/**
 * Answers `Expect: 100-continue` with `100 Continue` only for a body the API will read. Node sends it for every such
 * request by itself, so a client that asks before sending a body the API refuses by its headers (too large, not
 * JSON) would be told to go on, send it, and only then learn of the refusal: it now gets the refusal instead, and
 * sends nothing.
 */
export function continueOnlyBodiesItReads(server: Server, limitBytes: number): void {
  const refusalOf = oversizeRefusal(limitBytes);
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if ((bodyTypeRefusal(request) ?? refusalOf(request)) === undefined) response.writeContinue();
    server.emit('request', request, response);
  });
}

/** A JSON body whose bytes are not UTF-8 although its charset says they are. */
class BodyNotUtf8Error extends Error {
  constructor() {
    super('The request body is not valid UTF-8.');
  }
}

/** A body nested deeper than the limit: refused before it is parsed, so no later recursion can overflow. */
class BodyTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`The request body is nested deeper than ${maxDepth} levels.`);
  }
}

/** Whether the Content-Type's charset is UTF-8 (JSON's default when it names none). */
function declaresUtf8(request: IncomingMessage): boolean {
  const charset = charsetOf(request.headers['content-type']);
  return charset === undefined || /^utf-?8$/i.test(charset);
}

/**
 * body-parser's `verify` hook for JSON, run on the decoded (inflated) bytes before `JSON.parse`:
 * - bytes that are not UTF-8 are refused, where body-parser would silently turn them into U+FFFD and the service
 *   would store text the participant never wrote;
 * - nesting deeper than `maxDepth` is refused (one pass, no allocation) before `JSON.parse`, validation or
 *   class-transformer recurse into it. Brackets inside strings don't count; UTF-8 continuation bytes never equal
 *   these ASCII bytes.
 */
export function verifyJsonBody(maxDepth: number): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (req, _res, body) => {
    if (declaresUtf8(req) && !isUtf8(body)) throw new BodyNotUtf8Error();
    let depth = 0;
    let inString = false;
    for (let i = 0; i < body.length; i++) {
      const byte = body[i];
      if (inString) {
        if (byte === BACKSLASH) i++;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (++depth > maxDepth) throw new BodyTooDeepError(maxDepth);
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
      }
    }
  };
}

/** Whether `body` is valid JSON holding no object or array: `null`, a string, a number, a boolean. */
function isJsonScalar(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    const value: unknown = JSON.parse(body);
    return value === null || typeof value !== 'object';
  } catch {
    return false;
  }
}

/**
 * After the JSON parser: every body the API reads is an object, and body-parser's strict mode also lets an array
 * through, which would then be refused field by field (`text must be a string`) as if it were an object.
 */
export function onlyObjectBodies(request: Request, _response: Response, next: NextFunction): void {
  if (Array.isArray(request.body)) return next(invalidInput(NOT_AN_OBJECT_MESSAGE));
  next();
}

/** zlib's and brotli's failures on a body that isn't what its Content-Encoding says. */
function isDecodingError(error: { code?: unknown }): boolean {
  return typeof error.code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI|ERR_ZSTD)/.test(error.code);
}

/**
 * body-parser's errors as coded errors in plain words, before Nest maps them (it would turn a JSON SyntaxError
 * into a bare 400, and a corrupt gzip body into a 500).
 */
export function bodyParserErrors(error: unknown, _request: Request, _response: Response, next: NextFunction): void {
  if (error instanceof BodyTooDeepError) {
    next(new AppError(ErrorCode.BodyTooDeep, error.message, { details: { maxDepth: error.maxDepth } }));
    return;
  }
  if (error instanceof BodyNotUtf8Error) {
    next(new AppError(ErrorCode.MalformedBody, error.message));
    return;
  }
  const parserError = error as {
    type?: unknown;
    status?: unknown;
    limit?: unknown;
    code?: unknown;
    body?: unknown;
  } | null;
  if (parserError === null || typeof parserError.status !== 'number' || parserError.status >= 500) {
    next(error);
    return;
  }
  switch (parserError.type) {
    case 'entity.parse.failed':
      // body-parser's strict mode refuses JSON that is neither an object nor an array with the same parse error.
      next(
        isJsonScalar(parserError.body)
          ? invalidInput(NOT_AN_OBJECT_MESSAGE)
          : new AppError(ErrorCode.MalformedJson, 'The request body is not valid JSON.'),
      );
      return;
    case 'entity.too.large':
      next(
        new AppError(
          ErrorCode.PayloadTooLarge,
          `The request body is larger than the limit of ${String(parserError.limit)} bytes.`,
        ),
      );
      return;
    case 'charset.unsupported':
      next(new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_CHARSET_MESSAGE));
      return;
    case 'encoding.unsupported':
      next(new AppError(ErrorCode.UnsupportedEncoding, UNSUPPORTED_ENCODING_MESSAGE));
      return;
    default:
      next(
        isDecodingError(parserError)
          ? new AppError(ErrorCode.MalformedBody, 'The request body could not be decoded as its Content-Encoding says.')
          : new AppError(ErrorCode.MalformedBody, 'The request body could not be read.'),
      );
  }
}
