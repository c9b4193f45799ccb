import { byteLimitOf } from '../config/byte-limit';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './app.error';
import {
  bodyParserErrors,
  onlyJsonBodies,
  onlyObjectBodies,
  refuseDeclaredOversize,
  verifyJsonBody,
} from './request-body';

const verify = (text: string, maxDepth = 3): void =>
  verifyJsonBody(maxDepth)({ headers: {} } as never, {} as never, Buffer.from(text, 'utf8'));

function mapped(error: unknown): unknown {
  let passed: unknown;
  const next: NextFunction = (value?: unknown) => void (passed = value);
  bodyParserErrors(error, {} as Request, {} as Response, next);
  return passed;
}

describe('verifyJsonBody', () => {
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

describe('verifyJsonBody: UTF-8', () => {
  const check = (bytes: number[], contentType?: string): void =>
    verifyJsonBody(32)(
      { headers: contentType ? { 'content-type': contentType } : {} } as never,
      {} as never,
      Buffer.from(bytes),
    );
  const invalid = [...Buffer.from('{"a":"'), 0xff, 0xfe, ...Buffer.from('"}')];

  it('refuses bytes that are not UTF-8 when no charset or UTF-8 is declared', () => {
    expect(() => check(invalid)).toThrow(/not valid UTF-8/);
    expect(() => check(invalid, 'application/json; charset=UTF-8')).toThrow(/not valid UTF-8/);
  });

  it('leaves a body in another declared charset to its decoder', () => {
    expect(() => check(invalid, 'application/json; charset=utf-16le')).not.toThrow();
  });

  it('accepts multi-byte UTF-8', () => {
    expect(() => check([...Buffer.from('{"a":"Grüße 😊"}')])).not.toThrow();
  });
});

describe('onlyJsonBodies', () => {
  let closes = false;
  const passed = (method: string, headers: Record<string, string>): unknown => {
    closes = false;
    let value: unknown = 'not called';
    const response = {
      setHeader: (name: string, value: string) => (closes = name === 'Connection' && value === 'close'),
    };
    onlyJsonBodies({ method, headers } as never, response as never, (error?: unknown) => void (value = error));
    return value;
  };
  const refusedWith = (method: string, headers: Record<string, string>): string | undefined =>
    (passed(method, headers) as AppError | undefined)?.code;

  it('passes JSON, with or without parameters, in any letter case', () => {
    expect(passed('POST', { 'content-type': 'application/json', 'content-length': '2' })).toBeUndefined();
    expect(
      passed('POST', { 'content-type': 'Application/JSON; charset=utf-8', 'content-length': '2' }),
    ).toBeUndefined();
  });

  it('passes a request without a body and without a Content-Type', () => {
    expect(passed('POST', {})).toBeUndefined();
    expect(passed('DELETE', { 'content-length': '0' })).toBeUndefined();
  });

  it.each([
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/ld+json',
  ])('refuses a %s body with HTTP.UNSUPPORTED_MEDIA_TYPE', (type) => {
    expect(refusedWith('POST', { 'content-type': type, 'content-length': '5' })).toBe('HTTP.UNSUPPORTED_MEDIA_TYPE');
    // An empty form is still a form: a cross-site page can post one without a preflight.
    expect(refusedWith('POST', { 'content-type': type, 'content-length': '0' })).toBe('HTTP.UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a JSON body in a charset JSON is not written in, before reading it; passes UTF-8 and no charset', () => {
    for (const charset of ['latin1', 'ascii', 'bogus', '"iso-8859-1"'])
      expect(
        refusedWith('POST', { 'content-type': `application/json; charset=${charset}`, 'content-length': '5' }),
      ).toBe('HTTP.UNSUPPORTED_MEDIA_TYPE');
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf-16'])
      expect(
        passed('POST', { 'content-type': `application/json; charset=${charset}`, 'content-length': '5' }),
      ).toBeUndefined();
  });

  it('refuses a body without a Content-Type, by length or chunked', () => {
    expect(refusedWith('POST', { 'content-length': '5' })).toBe('HTTP.UNSUPPORTED_MEDIA_TYPE');
    expect(refusedWith('PUT', { 'transfer-encoding': 'chunked' })).toBe('HTTP.UNSUPPORTED_MEDIA_TYPE');
  });

  it('closes the connection of a refused body, which is never read; not of a passed one', () => {
    refusedWith('POST', { 'content-type': 'text/plain', 'content-length': '1000000000' });
    expect(closes).toBe(true);
    refusedWith('POST', { 'content-type': 'application/json', 'content-length': '5', 'content-encoding': 'zstd' });
    expect(closes).toBe(true);
    passed('POST', { 'content-type': 'application/json', 'content-length': '5' });
    expect(closes).toBe(false);
  });

  it('ignores the body type of methods whose body the API never reads', () => {
    expect(passed('GET', { 'content-type': 'text/plain', 'content-length': '5' })).toBeUndefined();
  });

  it.each(['gzip', 'deflate', 'br', 'identity', 'GZip', ' br ', ''])('passes a JSON body encoded as %p', (encoding) => {
    const headers = { 'content-type': 'application/json', 'content-length': '5', 'content-encoding': encoding };
    expect(passed('POST', headers)).toBeUndefined();
  });

  // body-parser decodes zstd wherever the runtime's zlib has it (Node 22.15+); the API takes the same set on every
  // runtime, the one its documentation names.
  it.each(['zstd', 'compress', 'bogus', 'gzip, br'])(
    'refuses a body encoded as %p with HTTP.UNSUPPORTED_ENCODING, whatever the runtime decodes',
    (encoding) => {
      const headers = { 'content-type': 'application/json', 'content-length': '5', 'content-encoding': encoding };
      expect(refusedWith('POST', headers)).toBe('HTTP.UNSUPPORTED_ENCODING');
    },
  );

  it.each(['gzip, chunked', 'deflate,chunked', 'identity, chunked'])(
    'refuses a body sent with Transfer-Encoding %p with HTTP.UNSUPPORTED_ENCODING, before reading it',
    (transfer) => {
      const headers = { 'content-type': 'application/json', 'transfer-encoding': transfer };
      expect(refusedWith('POST', headers)).toBe('HTTP.UNSUPPORTED_ENCODING');
      expect(closes).toBe(true);
    },
  );

  it.each(['chunked', 'Chunked', ' chunked '])('passes a JSON body sent with Transfer-Encoding %p', (transfer) => {
    expect(passed('POST', { 'content-type': 'application/json', 'transfer-encoding': transfer })).toBeUndefined();
  });

  it('does not judge the encoding of a request without a body', () => {
    expect(passed('POST', { 'content-encoding': 'zstd' })).toBeUndefined();
    expect(passed('POST', { 'content-type': 'application/json', 'content-encoding': 'zstd' })).toBeUndefined();
  });
});

describe('onlyObjectBodies', () => {
  it('refuses an array body as no object, and passes an object or no body', () => {
    const outcome = (body: unknown) => {
      let passed: unknown = 'not called';
      onlyObjectBodies({ body } as never, {} as never, (error?: unknown) => void (passed = error));
      return (passed as AppError | undefined)?.message;
    };
    expect([outcome([]), outcome([1])]).toEqual([
      'The request body must be a JSON object.',
      'The request body must be a JSON object.',
    ]);
    expect([outcome({}), outcome(undefined)]).toEqual([undefined, undefined]);
  });
});

describe('refuseDeclaredOversize', () => {
  const outcome = (headers: Record<string, string>) => {
    const set: Record<string, string> = {};
    let error: unknown = 'not called';
    refuseDeclaredOversize(1024)(
      { headers } as never,
      { setHeader: (name: string, value: string) => (set[name] = value) } as never,
      (passed?: unknown) => void (error = passed),
    );
    return { code: (error as AppError | undefined)?.code, connection: set.Connection };
  };

  it('refuses a Content-Length over the limit at once, closing the connection its unread body is on', () => {
    for (const length of ['1025', '99999999999']) {
      expect(outcome({ 'content-length': length })).toEqual({ code: 'HTTP.PAYLOAD_TOO_LARGE', connection: 'close' });
    }
  });

  it('passes a body within the limit, none declared, and an encoded one (its limit is on the decoded bytes)', () => {
    const passing: Record<string, string>[] = [
      { 'content-length': '1024' },
      {},
      { 'content-length': '2000', 'content-encoding': 'gzip' },
    ];
    for (const headers of passing) {
      expect(outcome(headers)).toEqual({ code: undefined, connection: undefined });
    }
  });

  it('refuses an encoded body whose encoded length alone is over the limit (it cannot decode to less)', () => {
    expect(outcome({ 'content-length': '5000', 'content-encoding': 'gzip' })).toEqual({
      code: 'HTTP.PAYLOAD_TOO_LARGE',
      connection: 'close',
    });
  });

  it('reads BODY_LIMIT as body-parser does', () => {
    expect([byteLimitOf('512b'), byteLimitOf('100kb'), byteLimitOf('1MB')]).toEqual([512, 102_400, 1_048_576]);
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

  it('says a body that is JSON but no object or array (null, a string, a number) is of the wrong kind', () => {
    for (const body of ['null', ' "str"', '42', 'true']) {
      const appError = mapped(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400, body }));
      expect({ body, code: (appError as AppError).code, message: (appError as AppError).message }).toEqual({
        body,
        code: 'HTTP.VALIDATION_FAILED',
        message: 'The request body must be a JSON object.',
      });
    }
    const broken = mapped(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400, body: 'nul' }));
    expect((broken as AppError).code).toBe('HTTP.MALFORMED_JSON');
  });

  it('passes on what is not a body-parser error', () => {
    const other = new Error('boom');
    expect(mapped(other)).toBe(other);
  });
});
