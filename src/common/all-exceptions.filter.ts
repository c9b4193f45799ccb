import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppError } from './app.error';
import { ErrorBody } from './error-body';
import { ErrorCode } from './error-codes';
import { requestIdOf } from './request-id';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.TooManyRequests,
  503: ErrorCode.ServiceUnavailable,
};

/**
 * One filter for every error: always JSON `{ statusCode, code, message, requestId, details? }`,
 * never HTML and never a stack trace. Unknown errors become 500 and are logged with their stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { body, headers } = this.toBody(exception, request);
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId, path: request.originalUrl },
        `${body.code}: ${body.message}`,
      );
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown, request: Request): { body: ErrorBody; headers: Record<string, string> } {
    const requestId = requestIdOf(request);
    if (exception instanceof AppError) {
      return {
        body: {
          statusCode: exception.statusCode,
          code: exception.code,
          message: exception.message,
          requestId,
          ...(exception.details === undefined ? {} : { details: exception.details }),
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof ThrottlerException) {
      return {
        body: {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
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
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
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
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest);
    if (typeof payload === 'string') return { message: payload, code };
    const record = payload as { message?: unknown; code?: unknown; status?: unknown; error?: unknown };
    if (record.status === 'error' && typeof record.error === 'object' && record.error !== null) {
      // A Terminus health report: name the failing parts, keep the whole report as details.
      return { message: `Unhealthy: ${Object.keys(record.error).join(', ')}`, code, details: payload };
    }
    if (status === 404 && /^Cannot /.test(String(record.message))) {
      return { message: `No route ${request.method} ${request.path}.`, code };
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
