/** Every error code the API answers with, `MODULE.CODE`, declared once. */
export const ErrorCode = {
  BadRequest: 'HTTP.BAD_REQUEST',
  ValidationFailed: 'HTTP.VALIDATION_FAILED',
  MalformedJson: 'HTTP.MALFORMED_JSON',
  PayloadTooLarge: 'HTTP.PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
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

  QueueUnknown: 'QUEUE.UNKNOWN_QUEUE',
  QueueJobNotFound: 'QUEUE.JOB_NOT_FOUND',
  QueueUnavailable: 'QUEUE.UNAVAILABLE',

  AdminDisabled: 'ADMIN.DISABLED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
