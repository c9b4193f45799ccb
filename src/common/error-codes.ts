/** Every error code the service answers with, `MODULE.CODE`, declared once. */
export const ErrorCode = {
  BadRequest: 'HTTP.BAD_REQUEST',
  ValidationFailed: 'HTTP.VALIDATION_FAILED',
  MalformedJson: 'HTTP.MALFORMED_JSON',
  PayloadTooLarge: 'HTTP.PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  UnsupportedEncoding: 'HTTP.UNSUPPORTED_ENCODING',
  MalformedBody: 'HTTP.MALFORMED_BODY',
  BodyTooDeep: 'HTTP.BODY_TOO_DEEP',
  HeadersTooLarge: 'HTTP.HEADERS_TOO_LARGE',
  RequestTimeout: 'HTTP.REQUEST_TIMEOUT',
  ExpectationFailed: 'HTTP.EXPECTATION_FAILED',
  NotFound: 'HTTP.NOT_FOUND',
  MethodNotAllowed: 'HTTP.METHOD_NOT_ALLOWED',
  Unauthorized: 'HTTP.UNAUTHORIZED',
  Forbidden: 'HTTP.FORBIDDEN',
  TooManyRequests: 'HTTP.TOO_MANY_REQUESTS',
  Internal: 'HTTP.INTERNAL_ERROR',
  ServiceUnavailable: 'HTTP.SERVICE_UNAVAILABLE',
  ClientClosedRequest: 'HTTP.CLIENT_CLOSED_REQUEST',

  MlOverloaded: 'ML.OVERLOADED',
  MlModelLoadFailed: 'ML.MODEL_LOAD_FAILED',
  MlInferenceFailed: 'ML.INFERENCE_FAILED',
  MlInvalidText: 'ML.INVALID_TEXT',

  ChatMessageTooLong: 'CHAT.MESSAGE_TOO_LONG',
  ChatInvalidCharacters: 'CHAT.INVALID_CHARACTERS',
  ChatConditionUnavailable: 'CHAT.CONDITION_UNAVAILABLE',
  ChatConversationNotFound: 'CHAT.CONVERSATION_NOT_FOUND',
  ChatWrongEntryPoint: 'CHAT.WRONG_ENTRY_POINT',

  QueueUnknown: 'QUEUE.UNKNOWN_QUEUE',
  QueueJobNotFound: 'QUEUE.JOB_NOT_FOUND',
  QueueUnavailable: 'QUEUE.UNAVAILABLE',

  AdminCrossSiteRequest: 'ADMIN.CROSS_SITE_REQUEST',
  AdminDisabled: 'ADMIN.DISABLED',
  AdminPseudonymKeyMissing: 'ADMIN.PSEUDONYM_KEY_MISSING',

  HealthNotReady: 'HEALTH.NOT_READY',

  DbUnavailable: 'DB.UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Failures that may go away by themselves (a busy or briefly missing dependency): the same request or job can
 * succeed later. Everything else fails the same way every time. Queue processors retry or discard by this.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.ServiceUnavailable,
  ErrorCode.TooManyRequests,
  ErrorCode.MlOverloaded,
  ErrorCode.MlModelLoadFailed,
  ErrorCode.MlInferenceFailed,
  ErrorCode.ChatConditionUnavailable,
  ErrorCode.QueueUnavailable,
  ErrorCode.DbUnavailable,
]);
