import {
  BadGatewayException,
  BadRequestException,
  ForbiddenException,
  ImATeapotException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
  type ArgumentsHost,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppError } from './app.error';
import type { ErrorResponseDto as ErrorBody } from './error-response.dto';
import { ErrorTranslation } from './error-translation';
import { ErrorCode } from './error-codes';
import { ERROR_HTTP } from './error-http.map';

interface FakeRequest {
  id?: unknown;
  method: string;
  path: string;
  originalUrl: string;
}

/** The parts of an Express response the filter may touch, recording what it did. */
class FakeResponse {
  headersSent = false;
  readonly headers: Record<string, string> = {};
  statusCode: number | null = null;
  body: ErrorBody | null = null;
  writes = 0;
  ended = false;

  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  json(body: ErrorBody): this {
    this.body = body;
    this.writes++;
    return this;
  }

  end(): this {
    this.ended = true;
    return this;
  }
}

const ALL_CODES = Object.values(ErrorCode);
const REQUEST_ID = 'req-42';

/** The body every error answer has, for the test request. */
const bodyOf = (statusCode: number, code: string, message: string, details?: unknown): ErrorBody => ({
  statusCode,
  code,
  message,
  requestId: REQUEST_ID,
  ...(details === undefined ? {} : { details }),
});

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  let logError: jest.SpyInstance;

  beforeEach(() => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => logError.mockRestore());

  /** Runs the filter on `exception` for `GET /x` (or `request`) and returns what the response received. */
  function answer(exception: unknown, request: Partial<FakeRequest> = {}, response = new FakeResponse()): FakeResponse {
    const fullRequest: FakeRequest = { id: REQUEST_ID, method: 'GET', path: '/x', originalUrl: '/api/x', ...request };
    const host = {
      switchToHttp: () => ({ getRequest: () => fullRequest, getResponse: () => response }),
    } as unknown as ArgumentsHost;
    filter.catch(exception, host);
    return response;
  }

  /** Every answer has exactly this shape, `details` only when there are some. */
  function expectBodyShape(response: FakeResponse, withDetails = false): ErrorBody {
    expect(response.writes).toBe(1);
    const body = response.body as ErrorBody;
    const keys = ['statusCode', 'code', 'message', 'requestId', ...(withDetails ? ['details'] : [])];
    expect(Object.keys(body).sort()).toEqual(keys.sort());
    expect(body.statusCode).toBe(response.statusCode);
    expect(typeof body.message).toBe('string');
    expect(body.message.length).toBeGreaterThan(0);
    return body;
  }

  describe('AppError', () => {
    it('covers every error code', () => {
      expect(ALL_CODES.length).toBeGreaterThanOrEqual(23);
      expect(Object.keys(ERROR_HTTP).sort()).toEqual([...ALL_CODES].sort());
    });

    it.each(ALL_CODES)('%s: the status and Retry-After of its ERROR_HTTP entry', (code) => {
      const response = answer(new AppError(code, `what went wrong (${code})`));
      const { status, retryAfterSeconds } = ERROR_HTTP[code];
      expect(response.statusCode).toBe(status);
      expect(expectBodyShape(response)).toEqual(bodyOf(status, code, `what went wrong (${code})`));
      expect(response.headers).toEqual(
        retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
      );
    });

    it.each(ALL_CODES)('%s: its own retryAfterSeconds wins over the table', (code) => {
      const response = answer(new AppError(code, 'busy', { retryAfterSeconds: 17 }));
      expect(response.statusCode).toBe(ERROR_HTTP[code].status);
      expect(response.headers).toEqual({ 'Retry-After': '17' });
    });

    it.each([
      { code: ErrorCode.MlOverloaded, status: 503, retryAfter: '1' },
      { code: ErrorCode.MlModelLoadFailed, status: 503, retryAfter: '5' },
      { code: ErrorCode.QueueUnavailable, status: 503, retryAfter: '5' },
      { code: ErrorCode.ChatConditionUnavailable, status: 503, retryAfter: '1' },
      { code: ErrorCode.ChatMessageTooLong, status: 400, retryAfter: undefined },
      { code: ErrorCode.QueueJobNotFound, status: 404, retryAfter: undefined },
      { code: ErrorCode.AdminDisabled, status: 403, retryAfter: undefined },
      { code: ErrorCode.ClientClosedRequest, status: 499, retryAfter: undefined },
      { code: ErrorCode.Internal, status: 500, retryAfter: undefined },
    ])('answers $code with $status (Retry-After $retryAfter)', ({ code, status, retryAfter }) => {
      const response = answer(new AppError(code, 'x'));
      expect(response.statusCode).toBe(status);
      expect(response.headers['Retry-After']).toBe(retryAfter);
    });

    it('passes its details on', () => {
      const details = ['text must be a string', 'text must not be empty'];
      const response = answer(new AppError(ErrorCode.ValidationFailed, details.join('; '), { details }));
      expect(expectBodyShape(response, true)).toEqual(
        bodyOf(400, 'HTTP.VALIDATION_FAILED', 'text must be a string; text must not be empty', details),
      );
    });

    it('logs a 500 with its error; expected trouble (503, 4xx) is left to the adapter that saw it', () => {
      const crash = new Error('boom');
      answer(crash);
      expect(logError).toHaveBeenCalledTimes(1);
      expect(logError).toHaveBeenCalledWith(
        expect.objectContaining({ err: crash, requestId: REQUEST_ID, path: '/api/x' }),
        expect.stringContaining('HTTP.INTERNAL_ERROR'),
      );
      // An overload or an outage fails every request alike: one error line each would drown the log.
      answer(new AppError(ErrorCode.MlOverloaded, 'busy'));
      answer(new AppError(ErrorCode.DbUnavailable, 'down'));
      answer(new AppError(ErrorCode.NotFound, 'no'));
      expect(logError).toHaveBeenCalledTimes(1);
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('turns the router’s 404 into "No route <method> <path>."', () => {
      const response = answer(new NotFoundException('Cannot GET /x'), { method: 'GET', path: '/x' });
      expect(expectBodyShape(response)).toEqual(bodyOf(404, 'HTTP.NOT_FOUND', 'No route GET /x.'));
    });

    it('keeps a 404 of our own words as it is', () => {
      const response = answer(new NotFoundException('No such job.'));
      expect(response.body).toMatchObject({ statusCode: 404, code: 'HTTP.NOT_FOUND', message: 'No such job.' });
    });

    it('answers 405 as HTTP.METHOD_NOT_ALLOWED', () => {
      const response = answer(new MethodNotAllowedException(), { method: 'DELETE' });
      expect(expectBodyShape(response)).toEqual(bodyOf(405, 'HTTP.METHOD_NOT_ALLOWED', 'Method Not Allowed'));
    });

    it('names the failing parts of a Terminus health report and keeps the report as details', () => {
      const report = {
        status: 'error',
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down', message: 'connect ECONNREFUSED' }, queues: { status: 'down' } },
        details: {
          database: { status: 'up' },
          redis: { status: 'down', message: 'connect ECONNREFUSED' },
          queues: { status: 'down' },
        },
      };
      const response = answer(new ServiceUnavailableException(report));
      expect(expectBodyShape(response, true)).toEqual(
        bodyOf(503, 'HTTP.SERVICE_UNAVAILABLE', 'Unhealthy: redis, queues', report),
      );
    });

    it.each([
      { name: 'ThrottlerException', exception: new ThrottlerException() },
      {
        name: 'ThrottlerException with its own text',
        exception: new ThrottlerException('ThrottlerException: Too Many'),
      },
    ])('answers a $name with 429 HTTP.TOO_MANY_REQUESTS', ({ exception }) => {
      const response = answer(exception);
      expect(expectBodyShape(response)).toEqual(
        bodyOf(429, 'HTTP.TOO_MANY_REQUESTS', 'Too many requests: slow down and try again shortly.'),
      );
    });

    it('answers a validation array as HTTP.VALIDATION_FAILED with every message as details', () => {
      const messages = ['index must be an integer', 'message should not be empty'];
      const response = answer(new BadRequestException(messages));
      expect(expectBodyShape(response, true)).toEqual(
        bodyOf(400, 'HTTP.VALIDATION_FAILED', 'index must be an integer; message should not be empty', messages),
      );
    });

    it.each([
      { exception: new BadRequestException('Bad thing'), status: 400, code: 'HTTP.BAD_REQUEST', message: 'Bad thing' },
      { exception: new UnauthorizedException(), status: 401, code: 'HTTP.UNAUTHORIZED', message: 'Unauthorized' },
      {
        exception: new ForbiddenException({ message: 'Admin endpoints are off.', code: ErrorCode.AdminDisabled }),
        status: 403,
        code: 'ADMIN.DISABLED',
        message: 'Admin endpoints are off.',
      },
      {
        exception: new PayloadTooLargeException(),
        status: 413,
        code: 'HTTP.PAYLOAD_TOO_LARGE',
        message: 'Payload Too Large',
      },
      { exception: new ImATeapotException(), status: 418, code: 'HTTP.BAD_REQUEST', message: "I'm a teapot" },
      { exception: new BadGatewayException(), status: 502, code: 'HTTP.INTERNAL_ERROR', message: 'Bad Gateway' },
      {
        exception: new BadRequestException({ reason: 42 }),
        status: 400,
        code: 'HTTP.BAD_REQUEST',
        message: 'Request failed.',
      },
    ])('answers $exception.name ($message) with $status $code', ({ exception, status, code, message }) => {
      const response = answer(exception);
      expect(expectBodyShape(response)).toEqual(bodyOf(status, code, message));
    });
  });

  describe('anything else', () => {
    it.each([
      { name: 'an Error', thrown: new Error('password=hunter2 at db.internal:5432') },
      { name: 'a TypeError', thrown: new TypeError("Cannot read properties of undefined (reading 'secret')") },
      { name: 'a string', thrown: 'password=hunter2' },
      { name: 'null', thrown: null },
      { name: 'undefined', thrown: undefined },
    ])('answers $name with a bare 500 HTTP.INTERNAL_ERROR and logs it', ({ thrown }) => {
      const response = answer(thrown);
      const body = expectBodyShape(response);
      expect(body).toEqual(
        bodyOf(500, 'HTTP.INTERNAL_ERROR', 'Internal server error. The request id identifies it in the logs.'),
      );
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/hunter2|secret|db\.internal|\bat .*\.ts:\d+|stack/);
      expect(response.headers).toEqual({});
      expect(logError).toHaveBeenCalledWith(expect.objectContaining({ err: thrown }), expect.any(String));
    });
  });

  describe("an adapter's translation", () => {
    it('maps the error a translator gives (a database outage) and leaves the others to the usual rules', () => {
      const translation = new ErrorTranslation();
      const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      translation.add((error) =>
        error === outage
          ? new AppError(ErrorCode.DbUnavailable, 'The database is unavailable; retry shortly.')
          : undefined,
      );
      const translating = new AllExceptionsFilter(translation);
      const host = (response: FakeResponse) =>
        ({
          switchToHttp: () => ({
            getRequest: () => ({ id: REQUEST_ID, method: 'GET', path: '/x', originalUrl: '/api/x' }),
            getResponse: () => response,
          }),
        }) as unknown as ArgumentsHost;

      const unavailable = new FakeResponse();
      translating.catch(outage, host(unavailable));
      expect(unavailable.statusCode).toBe(ERROR_HTTP[ErrorCode.DbUnavailable].status);
      expect(unavailable.body).toMatchObject({ code: 'DB.UNAVAILABLE' });
      expect(unavailable.headers).toHaveProperty('Retry-After');
      expect(JSON.stringify(unavailable.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);

      const other = new FakeResponse();
      translating.catch(new Error('boom'), host(other));
      expect(other.statusCode).toBe(500);
    });
  });

  describe('the request id', () => {
    it.each([
      { id: 'abc-123', expected: 'abc-123' },
      { id: 17, expected: '17' },
      { id: undefined, expected: 'unknown' },
      { id: { nested: true }, expected: 'unknown' },
    ])('answers request id $id as "$expected"', ({ id, expected }) => {
      const response = answer(new AppError(ErrorCode.NotFound, 'no'), { id });
      expect(response.body?.requestId).toBe(expected);
    });
  });

  describe('a response already under way', () => {
    it.each([
      { name: 'an AppError', exception: new AppError(ErrorCode.MlOverloaded, 'busy') },
      { name: 'an unknown error', exception: new Error('boom') },
    ])('ends it without a second write for $name', ({ exception }) => {
      const started = new FakeResponse();
      started.headersSent = true;
      const response = answer(exception, {}, started);
      expect(response.ended).toBe(true);
      expect(response.writes).toBe(0);
      expect(response.statusCode).toBeNull();
      expect(response.headers).toEqual({});
    });
  });
});
