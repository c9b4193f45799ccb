import { ErrorCode, TRANSIENT_ERROR_CODES } from './error-codes';

export interface AppErrorOptions {
  /** Machine-readable particulars (e.g. every validation problem), passed on to the caller. */
  details?: unknown;
  /** Whether trying again later may succeed; defaults to the code's nature (`TRANSIENT_ERROR_CODES`). */
  retryable?: boolean;
  /** When trying again makes sense, if the thrower knows better than the code's default. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error class the service throws: what went wrong (a stable `MODULE.CODE`), in words, and whether it is
 * worth retrying. It knows nothing of HTTP: the global exception filter maps codes to status and headers.
 */
export class AppError extends Error {
  readonly details?: unknown;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details;
    this.retryable = options.retryable ?? TRANSIENT_ERROR_CODES.has(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
