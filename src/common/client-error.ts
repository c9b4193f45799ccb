import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { NextFunction } from 'express';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { ERROR_HTTP } from './error-http.map';

/** Node's HTTP parser refusals, which happen before any route (or the exception filter) sees the request. */
function codeOf(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return ErrorCode.HeadersTooLarge;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return ErrorCode.RequestTimeout;
  return ErrorCode.BadRequest;
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.HeadersTooLarge]: 'The request headers are larger than the server accepts.',
  [ErrorCode.RequestTimeout]: 'The request was not received in time.',
  [ErrorCode.BadRequest]: 'The request could not be parsed as HTTP.',
};

/** The service's error body for an answer written before any route or the exception filter runs. */
function errorBody(code: ErrorCode, message: string | undefined): { status: number; body: string } {
  const status = ERROR_HTTP[code].status;
  return { status, body: JSON.stringify({ statusCode: status, code, message, requestId: randomUUID() }) };
}

/**
 * What helmet and the API's middleware put on every other answer, for the ones written before they run: no
 * sniffing the JSON into something else, nothing to run or frame, no copy kept.
 */
const PRE_ROUTE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};
const PRE_ROUTE_HEADER_LINES = Object.entries(PRE_ROUTE_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/**
 * A request Node cannot parse (a non-ASCII path, oversized headers, a malformed request line) or that did not
 * arrive in time is answered by Node itself with a bare status line; this answers it in the service's JSON error
 * shape instead, so every answer a client gets has a code.
 */
export function answerClientErrorsInJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code = codeOf(error);
    const { status, body } = errorBody(code, MESSAGES[code]);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n${PRE_ROUTE_HEADER_LINES}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * Node answers an `Expect` other than `100-continue` with a bare 417, an HTTP/1.1 request without `Host` with a
 * bare 400, and closes a `CONNECT` without a word, before any route runs: the first and the last are answered here
 * in the JSON error shape; the second is let through to `requireHostHeader` below, so the exception filter answers
 * it like any other refusal.
 */
export function answerProtocolRefusalsInJson(server: Server): void {
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const { status, body } = errorBody(
      ErrorCode.ExpectationFailed,
      'The only expectation the server meets is Expect: 100-continue.',
    );
    response.writeHead(status, {
      ...PRE_ROUTE_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    response.end(body);
  });
  // CONNECT asks for a tunnel, which only a proxy gives; without a listener Node closes the socket in silence.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    const { status, body } = errorBody(ErrorCode.MethodNotAllowed, 'CONNECT is not served here.');
    socket.end(
      `HTTP/1.1 ${status} Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `${PRE_ROUTE_HEADER_LINES}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * HTTP/1.1 requires exactly one `Host` (RFC 9112 §3.2): a request without one is refused, as Node would, but with a
 * code; one with two is refused too, where Node would keep the first (a proxy in front may have routed or checked
 * the last, and the console's same-origin check reads this one).
 */
export function requireHostHeader(request: IncomingMessage, _response: ServerResponse, next: NextFunction): void {
  const needsHost = request.httpVersionMajor === 1 && request.httpVersionMinor >= 1;
  if (needsHost && request.headers.host === undefined) {
    return next(new AppError(ErrorCode.BadRequest, 'An HTTP/1.1 request needs a Host header.'));
  }
  let hosts = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i].toLowerCase() === 'host') hosts++;
  if (hosts > 1) return next(new AppError(ErrorCode.BadRequest, 'A request names one Host.'));
  next();
}
