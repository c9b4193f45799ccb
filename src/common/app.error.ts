import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/**
 * The one error class services throw. The global filter maps it to
 * `{ statusCode, code, message, requestId, details? }` and adds headers (e.g. `Retry-After`).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly statusCode: HttpStatus = HttpStatus.BAD_REQUEST,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}
