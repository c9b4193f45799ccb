import { ErrorCode } from './error-codes';

export interface HttpMapping {
  status: number;
  /** Seconds for `Retry-After` unless the error names its own. */
  retryAfterSeconds?: number;
}

/**
 * How each error code is answered over HTTP: the one table that turns codes into status lines. Only the global
 * exception filter reads it (a lint rule keeps it so); 499 is nginx's "client closed request", logged, sent to no one.
 */
export const ERROR_HTTP: Record<ErrorCode, HttpMapping> = {
  [ErrorCode.BadRequest]: { status: 400 },
  [ErrorCode.ValidationFailed]: { status: 400 },
  [ErrorCode.MalformedJson]: { status: 400 },
  [ErrorCode.PayloadTooLarge]: { status: 413 },
  [ErrorCode.UnsupportedMediaType]: { status: 415 },
  [ErrorCode.UnsupportedEncoding]: { status: 415 },
  [ErrorCode.MalformedBody]: { status: 400 },
  [ErrorCode.BodyTooDeep]: { status: 400 },
  [ErrorCode.HeadersTooLarge]: { status: 431 },
  [ErrorCode.ExpectationFailed]: { status: 417 },
  [ErrorCode.RequestTimeout]: { status: 408 },
  [ErrorCode.NotFound]: { status: 404 },
  [ErrorCode.MethodNotAllowed]: { status: 405 },
  [ErrorCode.Unauthorized]: { status: 401 },
  [ErrorCode.Forbidden]: { status: 403 },
  [ErrorCode.TooManyRequests]: { status: 429 },
  [ErrorCode.Internal]: { status: 500 },
  [ErrorCode.ServiceUnavailable]: { status: 503, retryAfterSeconds: 1 },
  [ErrorCode.ClientClosedRequest]: { status: 499 },

  [ErrorCode.MlOverloaded]: { status: 503, retryAfterSeconds: 1 },
  [ErrorCode.MlModelLoadFailed]: { status: 503, retryAfterSeconds: 5 },
  [ErrorCode.MlInferenceFailed]: { status: 503, retryAfterSeconds: 1 },
  [ErrorCode.MlInvalidText]: { status: 400 },

  [ErrorCode.ChatMessageTooLong]: { status: 400 },
  [ErrorCode.ChatInvalidCharacters]: { status: 400 },
  [ErrorCode.ChatConditionUnavailable]: { status: 503, retryAfterSeconds: 1 },
  [ErrorCode.ChatConversationNotFound]: { status: 404 },
  [ErrorCode.ChatWrongEntryPoint]: { status: 409 },

  [ErrorCode.QueueUnknown]: { status: 404 },
  [ErrorCode.QueueJobNotFound]: { status: 404 },
  [ErrorCode.QueueUnavailable]: { status: 503, retryAfterSeconds: 5 },

  [ErrorCode.AdminCrossSiteRequest]: { status: 403 },
  [ErrorCode.AdminDisabled]: { status: 403 },
  [ErrorCode.AdminPseudonymKeyMissing]: { status: 400 },

  [ErrorCode.HealthNotReady]: { status: 503, retryAfterSeconds: 5 },

  [ErrorCode.DbUnavailable]: { status: 503, retryAfterSeconds: 2 },
};

/** The code a bare HTTP status (from Nest's own exceptions: unknown route, Terminus, throttler) is answered with. */
export const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
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
