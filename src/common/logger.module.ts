import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { assignRequestId } from './request-id';

/** Structured JSON logs (pino); every line written while serving a request carries its `req.id`. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Nest 11 (path-to-regexp 8) names wildcards; the default `*` logs a deprecation warning.
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.log.level,
          genReqId: (req, res) => (req as { id?: string }).id ?? assignRequestId(req, res),
          redact: [
            'req.headers.cookie',
            'req.headers.authorization',
            'req.headers["x-api-key"]',
            'res.headers["set-cookie"]',
          ],
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          // Probes and scrapes would drown the request log.
          autoLogging: { ignore: (req) => /^\/api\/(health|metrics)/.test(req.url ?? '') },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          ...(config.log.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
        },
      }),
    }),
  ],
})
export class AppLoggerModule {}
