import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { assignRequestId } from './request-id';
import { VALIDATOR_OPTIONS, validationFailed } from './validation';

export const API_PREFIX = 'api';

/**
 * Everything an HTTP app needs besides its modules; shared by `main.ts` and the e2e tests so that
 * the tests exercise exactly what production runs.
 */
export function configureHttpApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.set('trust proxy', 'loopback');
  // Express routing is non-strict: `/x` and `/x/` reach the same handler, with no redirect.
  app.set('strict routing', false);
  app.disable('x-powered-by');
  // The id exists before the body is parsed, so even a malformed-body error names its request.
  app.use((request: Request & { id?: string }, response: Response, next: NextFunction) => {
    request.id = assignRequestId(request, response);
    next();
  });
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  app.use(bodyParserErrors);
  app.use(cookieParser());
  app.use(
    helmet({
      // The API answers JSON; only the Swagger UI page needs its inline bootstrap to run.
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'validator.swagger.io'],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  const allowed = new Set(config.http.corsOrigins);
  app.enableCors({
    origin: (origin, callback) => callback(null, origin === undefined || allowed.has('*') || allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-Request-Id', 'X-Api-Key', 'Authorization'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      ...VALIDATOR_OPTIONS,
      transform: true,
      exceptionFactory: validationFailed,
    }),
  );
  app.enableShutdownHooks();
  setupSwagger(app);
}

function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Combot API')
      .setDescription('Conversation API of the Combot research chatbot, complaint classification and operations.')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'X-Api-Key', in: 'header' }, 'admin')
      .build(),
  );
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, { jsonDocumentUrl: `${API_PREFIX}/docs-json` });
}

/**
 * body-parser errors carry a `type` and a 4xx `status`; turn them into coded errors in plain words
 * before Nest maps them (it would turn a JSON SyntaxError into a bare 400).
 */
function bodyParserErrors(error: unknown, _request: Request, _response: Response, next: NextFunction): void {
  const parserError = error as { type?: unknown; status?: unknown; limit?: unknown; message?: unknown } | null;
  if (typeof parserError?.type !== 'string' || typeof parserError.status !== 'number') {
    next(error);
    return;
  }
  switch (parserError.type) {
    case 'entity.parse.failed':
      next(
        new AppError(ErrorCode.MalformedJson, `The request body is not valid JSON (${String(parserError.message)}).`),
      );
      return;
    case 'entity.too.large':
      next(
        new AppError(
          ErrorCode.PayloadTooLarge,
          `The request body is larger than the limit of ${String(parserError.limit)} bytes.`,
        ),
      );
      return;
    case 'charset.unsupported':
    case 'encoding.unsupported':
      next(new AppError(ErrorCode.UnsupportedMediaType, String(parserError.message)));
      return;
    default:
      next(new AppError(ErrorCode.BadRequest, 'The request body could not be read.'));
  }
}
