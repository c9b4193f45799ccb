import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

/** The JSON body of every error answer: the exception filter builds it, Swagger documents it. */
export class ErrorResponseDto {
  @ApiProperty({ description: 'The HTTP status, repeated for clients that only see the body.', example: 400 })
  statusCode!: number;

  @ApiProperty({
    description: `A stable MODULE.CODE to branch on (the message may change): ${Object.values(ErrorCode).join(', ')}.`,
    example: ErrorCode.ValidationFailed,
  })
  code!: string;

  @ApiProperty({ description: 'What went wrong, in words.', example: 'message must be a string' })
  message!: string;

  @ApiProperty({
    description: 'The id of the request (the X-Request-Id header); it finds the request in the logs.',
    example: '3f1c0b2e-8f5a-4f7e-9d0b-6a1d2c3b4a5f',
  })
  requestId!: string;

  @ApiPropertyOptional({
    description: 'Particulars: every validation message (an array), or the failing health report (an object).',
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: unknown;
}

/** One documented error status of a route: what causes it, and whether it carries `Retry-After`. */
export interface ErrorResponseDoc {
  description: string;
  retryAfter?: boolean;
}

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
};

/**
 * Documents error statuses of a route (or of every route of a controller) with the error body. The content is
 * spelled out as JSON because a route that produces CSV or text still answers its errors in JSON, and Swagger
 * would otherwise file the error schema under the route's own media types. A 429 or 503 carries `Retry-After`
 * unless the entry says otherwise.
 */
export function ApiErrorResponses(
  responses: Record<number, string | ErrorResponseDoc>,
): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...Object.entries(responses).map(([key, entry]) => {
      const status = Number(key);
      const { description, retryAfter = status === 429 || status === 503 } =
        typeof entry === 'string' ? { description: entry } : entry;
      return ApiResponse({
        status,
        description,
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
        ...(retryAfter ? { headers: RETRY_AFTER } : {}),
      });
    }),
  );
}

/** Any route may fail unexpectedly; the exception filter still answers the error body. */
export const INTERNAL_ERROR = {
  500: 'HTTP.INTERNAL_ERROR: an unexpected failure; the requestId finds it in the logs.',
} as const;

/** Routes behind the global rate limit (off with THROTTLE_LIMIT=0). */
export const RATE_LIMITED = {
  429: 'HTTP.TOO_MANY_REQUESTS: more than THROTTLE_LIMIT requests from this client within THROTTLE_TTL_SECONDS.',
} as const;

/** Routes behind a key but outside the rate limit: wrong keys still lock an address out. */
export const KEY_LOCKOUT = {
  429:
    'HTTP.TOO_MANY_REQUESTS: ADMIN_LOGIN_MAX_FAILURES wrong keys from this address within ' +
    'ADMIN_LOGIN_WINDOW_SECONDS, right key or not (Retry-After).',
} as const;

/** Admin routes that read no query: any parameter is refused, never ignored. */
export const UNKNOWN_QUERY = 'HTTP.VALIDATION_FAILED: a query parameter this route does not take (it takes none).';

/** Routes that read or write PostgreSQL: an outage is a bounded wait, then this. */
export const DATABASE_UNAVAILABLE = 'DB.UNAVAILABLE: PostgreSQL is down, frozen or saturated; retry after Retry-After.';

/** Routes with a JSON body: what the body parser refuses before any handler runs. */
export const BODY_ERRORS = {
  413: 'HTTP.PAYLOAD_TOO_LARGE: the body is larger than BODY_LIMIT.',
  415:
    'HTTP.UNSUPPORTED_ENCODING: a Content-Encoding other than gzip, deflate, br or identity, or a ' +
    'Transfer-Encoding other than chunked; ' +
    'HTTP.UNSUPPORTED_MEDIA_TYPE: a body that is not application/json (forms included), or a charset JSON does not use.',
} as const;

/** The 400s every JSON body route shares; routes add their own codes to it. */
export const BODY_BAD_REQUEST =
  'HTTP.MALFORMED_JSON: not JSON; HTTP.MALFORMED_BODY: not what its Content-Encoding says, or not UTF-8; ' +
  'HTTP.BODY_TOO_DEEP: nested deeper than HTTP_MAX_JSON_DEPTH; HTTP.VALIDATION_FAILED: not of the documented shape.';

/** What the admin guard refuses with: admin routes, and metrics routes when METRICS_REQUIRE_AUTH=true. */
export const ADMIN_KEY_ERRORS = {
  401:
    'HTTP.UNAUTHORIZED: no admin key (X-Api-Key header or Bearer token) and no study-console session, or the ' +
    'session expired or was logged out.',
  403:
    'HTTP.FORBIDDEN: a wrong admin key; ADMIN.DISABLED: ADMIN_API_KEY is not set; ADMIN.CROSS_SITE_REQUEST: a ' +
    'console session from another origin, or a state-changing request with it lacking X-Combot-Console.',
} as const;
