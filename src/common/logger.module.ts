import os from 'node:os';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { AppConfig } from '../config/app-config';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { prettyTransport } from './log-format';
import { loggedUrl } from './logged-url';
import { assignRequestId } from './request-id';

/**
 * The level of a request's log line: a 500 is a bug (the exception filter logs its cause with the stack); any other
 * 5xx is trouble the service answers by design (a dependency down, overload: 503 with Retry-After), which the
 * adapter that saw it logs once, rate-limited, so one error line per refused request would only drown the log.
 */
export function requestLogLevel(statusCode: number, error: unknown): 'error' | 'warn' | 'info' {
  if (error || statusCode === 500) return 'error';
  return statusCode >= 400 ? 'warn' : 'info';
}

/**
 * pino-http puts an Error on every 5xx request line, one it makes up itself when nothing failed in its sight, with
 * a stack of its own frames: the line keeps its name and message only (a real failure's stack is in the filter's line).
 */
export function requestErrorObject(error: Error, value: Record<string, unknown>): Record<string, unknown> {
  // Under `err` pino's error serializer would add a type and an empty stack back; a plain field stays as written.
  const { err: _err, ...line } = value;
  return { ...line, error: `${error.name}: ${error.message}` };
}

/**
 * An error as a log line holds it: pino's fields (type, message, stack and its own properties) except the values a
 * failed statement carries — its parameters and the driver's error, whose detail quotes the row — since they hold
 * what participants typed, e-mail addresses included. The statement's SQL stays: it has placeholders, not values.
 */
export function loggedError(error: Error | Record<string, unknown>): Record<string, unknown> {
  // pino-http hands a custom serializer the error already serialized by pino's own; an Error is serialized here.
  const serialized = (error instanceof Error ? stdSerializers.err(error) : error) as Record<string, unknown>;
  const { parameters: _parameters, driverError: _driverError, ...line } = serialized;
  return line;
}

/**
 * Structured JSON logs (pino) of the API and the worker; every line names its process (`pid`, `hostname`, `role`:
 * api or worker; the cluster's primary writes `primary`), and every line written while serving a request carries
 * its `req.id`. The CLI writes its own plain lines to stderr.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig, PROCESS_ROLE],
      useFactory: (config: AppConfig, role: ProcessRole) => ({
        // Nest 11 (path-to-regexp 8) names wildcards; the default `*` logs a deprecation warning.
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.log.level,
          // The API's processes, its primary and the worker often write to one stream (a terminal, a pod's log).
          base: { pid: process.pid, hostname: os.hostname(), role },
          genReqId: (req, res) => (req as { id?: string }).id ?? assignRequestId(req, res),
          redact: [
            'req.headers.cookie',
            'req.headers.authorization',
            'req.headers["x-api-key"]',
            'res.headers["set-cookie"]',
          ],
          customLogLevel: (_req, res, err) => requestLogLevel(res.statusCode, err),
          customErrorObject: (_req, _res, error, value: Record<string, unknown>) => requestErrorObject(error, value),
          // Probes and scrapes would drown the request log.
          autoLogging: { ignore: (req) => /^\/api\/(health|metrics)/.test(req.url ?? '') },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: loggedUrl(req.url),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            err: loggedError,
          },
          transport: prettyTransport(config.log.pretty),
        },
      }),
    }),
  ],
})
export class AppLoggerModule {}
