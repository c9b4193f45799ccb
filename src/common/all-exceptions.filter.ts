import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppError } from './app.error';
import type { ErrorResponseDto } from './error-response.dto';
import type { ErrorTranslation } from './error-translation';
import { ErrorCode } from './error-codes';
import { CODE_BY_STATUS, ERROR_HTTP } from './error-http.map';
import { loggedUrl } from './logged-url';
import { requestIdOf } from './request-id';
import { echoed } from './echoed-value';

/** A 405 names the methods the route does take (its `details.allow`). */
function allowHeader(error: AppError): Record<string, string> {
  const allow = (error.details as { allow?: unknown } | undefined)?.allow;
  return error.code === ErrorCode.MethodNotAllowed && Array.isArray(allow) ? { Allow: allow.join(', ') } : {};
}

/** The code a bare HTTP status is answered with. */
function codeOfStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest);
}

/**
 * The one place that knows HTTP for errors: every error becomes JSON `{ statusCode, code, message, requestId,
 * details? }` with the status (and `Retry-After`) its code maps to, never HTML and never a stack trace.
 * Unknown errors become 500 and are logged with their stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  /** `translation`: the adapters' readings of their own failures (a database outage becomes DB.UNAVAILABLE). */
  constructor(private readonly translation?: ErrorTranslation) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    const exception = this.translation ? this.translation.translate(thrown) : thrown;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { body, headers } = this.toBody(exception, request);
    if (body.statusCode === 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId, path: loggedUrl(request.originalUrl) },
        `${body.code}: ${body.message}`,
      );
    } else if (body.statusCode > 500 || (exception instanceof AppError && exception.retryable)) {
      // Expected trouble (a dependency down, overload): the adapter that saw it logs it, rate-limited; one line
      // per request here would drown the log during an outage.
      this.logger.debug(`${body.code}: ${body.message} (${body.requestId})`);
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }

  /** The body of a refusal another router decided by status alone (the queue dashboard's): its code by status. */
  bodyOfStatus(status: number, message: string, request: Request): ErrorResponseDto {
    return { statusCode: status, code: codeOfStatus(status), message, requestId: requestIdOf(request) };
  }

  toBody(exception: unknown, request: Request): { body: ErrorResponseDto; headers: Record<string, string> } {
    const requestId = requestIdOf(request);
    if (exception instanceof AppError) {
      const { status, retryAfterSeconds } = ERROR_HTTP[exception.code];
      const retryAfter = exception.retryAfterSeconds ?? retryAfterSeconds;
      return {
        body: {
          statusCode: status,
          code: exception.code,
          message: exception.message,
          requestId,
          ...(exception.details === undefined ? {} : { details: exception.details }),
        },
        headers: {
          ...(retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }),
          ...allowHeader(exception),
        },
      };
    }
    if (exception instanceof ThrottlerException) {
      return {
        body: {
          statusCode: ERROR_HTTP[ErrorCode.TooManyRequests].status,
          code: ErrorCode.TooManyRequests,
          message: 'Too many requests: slow down and try again shortly.',
          requestId,
        },
        headers: {},
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const { message, code, details } = this.describeHttpException(status, payload, request);
      return { body: { statusCode: status, code, message, requestId, ...(details ? { details } : {}) }, headers: {} };
    }
    return {
      body: {
        statusCode: ERROR_HTTP[ErrorCode.Internal].status,
        code: ErrorCode.Internal,
        message: 'Internal server error. The request id identifies it in the logs.',
        requestId,
      },
      headers: {},
    };
  }

  private describeHttpException(
    status: number,
    payload: string | object,
    request: Request,
  ): { message: string; code: string; details?: unknown } {
    const code = codeOfStatus(status);
    if (typeof payload === 'string') return { message: payload, code };
    const record = payload as { message?: unknown; code?: unknown; status?: unknown; error?: unknown };
    if (record.status === 'error' && typeof record.error === 'object' && record.error !== null) {
      // A Terminus health report: name the failing parts, keep the whole report as details.
      return { message: `Unhealthy: ${Object.keys(record.error).join(', ')}`, code, details: payload };
    }
    if (status === 404 && /^Cannot /.test(String(record.message))) {
      return { message: `No route ${request.method} ${echoed(request.path)}.`, code };
    }
    if (Array.isArray(record.message)) {
      const messages = record.message.map(String);
      return { message: messages.join('; '), code: ErrorCode.ValidationFailed, details: messages };
    }
    return {
      message: typeof record.message === 'string' ? record.message : 'Request failed.',
      code: typeof record.code === 'string' ? record.code : code,
    };
  }
}
