import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** A body nested deeper than the limit: refused before it is parsed, so no later recursion can overflow. */
class BodyTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`The request body is nested deeper than ${maxDepth} levels.`);
  }
}

/**
 * body-parser's `verify` hook: scans the raw JSON bytes (one pass, no allocation) and refuses nesting deeper than
 * `maxDepth` before `JSON.parse`, validation or class-transformer recurse into it. Brackets inside strings don't
 * count; UTF-8 continuation bytes never equal these ASCII bytes.
 */
export function jsonDepthLimit(maxDepth: number): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (_req, _res, body) => {
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
  const parserError = error as { type?: unknown; status?: unknown; limit?: unknown; code?: unknown } | null;
  if (parserError === null || typeof parserError.status !== 'number' || parserError.status >= 500) {
    next(error);
    return;
  }
  switch (parserError.type) {
    case 'entity.parse.failed':
      next(new AppError(ErrorCode.MalformedJson, 'The request body is not valid JSON.'));
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
      next(new AppError(ErrorCode.UnsupportedMediaType, 'The request body has a charset the API does not read.'));
      return;
    case 'encoding.unsupported':
      next(
        new AppError(
          ErrorCode.UnsupportedEncoding,
          'The request body has a Content-Encoding the API does not take (gzip, deflate, br or identity).',
        ),
      );
      return;
    default:
      next(
        isDecodingError(parserError)
          ? new AppError(ErrorCode.MalformedBody, 'The request body could not be decoded as its Content-Encoding says.')
          : new AppError(ErrorCode.MalformedBody, 'The request body could not be read.'),
      );
  }
}
