import type { NextFunction, Request, Response } from 'express';
import { AppError } from './app.error';
import { bodyParserErrors, jsonDepthLimit } from './request-body';

const verify = (text: string, maxDepth = 3): void =>
  jsonDepthLimit(maxDepth)({} as never, {} as never, Buffer.from(text, 'utf8'));

function mapped(error: unknown): unknown {
  let passed: unknown;
  const next: NextFunction = (value?: unknown) => void (passed = value);
  bodyParserErrors(error, {} as Request, {} as Response, next);
  return passed;
}

describe('jsonDepthLimit', () => {
  it('accepts nesting up to the limit', () => {
    expect(() => verify('{"a":[{"b":1}]}')).not.toThrow();
    expect(() => verify('[[[1]]]')).not.toThrow();
  });

  it('refuses nesting past the limit, objects and arrays alike', () => {
    expect(() => verify('[[[[1]]]]')).toThrow(/deeper than 3/);
    expect(() => verify('{"a":{"b":{"c":{}}}}')).toThrow();
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(() => verify('{"a":"[[[[{{{{","b":"\\"[[[[[["}')).not.toThrow();
  });

  it('handles a 5,000-deep body without recursion', () => {
    expect(() => verify(`${'['.repeat(5000)}${']'.repeat(5000)}`, 32)).toThrow(/deeper than 32/);
  });
});

describe('bodyParserErrors', () => {
  const code = (error: unknown): string => (mapped(error) as AppError).code;

  it('maps a too-deep body to HTTP.BODY_TOO_DEEP', () => {
    let thrown: unknown;
    try {
      verify('[[[[]]]]');
    } catch (error) {
      thrown = error;
    }
    expect(code(thrown)).toBe('HTTP.BODY_TOO_DEEP');
  });

  it.each([
    [{ type: 'entity.parse.failed', status: 400, message: 'Unexpected token } at 5: {"secret' }, 'HTTP.MALFORMED_JSON'],
    [{ type: 'entity.too.large', status: 413, limit: 1024 }, 'HTTP.PAYLOAD_TOO_LARGE'],
    [{ type: 'encoding.unsupported', status: 415 }, 'HTTP.UNSUPPORTED_ENCODING'],
    [{ type: 'charset.unsupported', status: 415 }, 'HTTP.UNSUPPORTED_MEDIA_TYPE'],
    // A gzip or brotli body that isn't: zlib's error, wrapped by body-parser with a 400 and no type.
    [{ status: 400, code: 'Z_DATA_ERROR', message: 'incorrect header check' }, 'HTTP.MALFORMED_BODY'],
    [{ status: 400, code: 'ERR__ERROR_FORMAT_PADDING_1', message: 'Decompression failed' }, 'HTTP.MALFORMED_BODY'],
    [{ status: 400 }, 'HTTP.MALFORMED_BODY'],
  ])('maps %o to %s, in words of its own', (error, expected) => {
    const appError = mapped(Object.assign(new Error(String((error as { message?: string }).message ?? '')), error));
    expect(appError).toBeInstanceOf(AppError);
    expect((appError as AppError).code).toBe(expected);
    expect((appError as AppError).message).not.toMatch(/secret|Unexpected token|header check/);
  });

  it('passes on what is not a body-parser error', () => {
    const other = new Error('boom');
    expect(mapped(other)).toBe(other);
  });
});
