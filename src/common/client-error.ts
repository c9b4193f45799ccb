import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
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
    const status = ERROR_HTTP[code].status;
    const body = JSON.stringify({ statusCode: status, code, message: MESSAGES[code], requestId: randomUUID() });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
