import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { byteLimitOf } from '../config/byte-limit';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { requireHostHeader } from './client-error';
import { enableCorsFirst } from './cors';
import { API_PREFIX, CONSOLE_PAGES, DOCS_JSON_PATH, DOCS_PATH } from './http-paths';
import { ErrorTranslation } from './error-translation';
import { assignRequestId } from './request-id';
import {
  bodyParserErrors,
  JSON_BODY_TYPE,
  continueOnlyBodiesItReads,
  onlyJsonBodies,
  onlyObjectBodies,
  refuseDeclaredOversize,
  verifyJsonBody,
} from './request-body';
import { AppValidationPipe } from './validation';


/**
 * Everything an HTTP app needs besides its modules; shared by `api-process.ts` and the e2e tests so that
 * the tests exercise exactly what production runs.
 */
export function configureHttpApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Whose X-Forwarded-For is believed decides `request.ip`, which rate limits key on: nobody's by default.
  app.set('trust proxy', config.http.trustProxy);
  // Express routing is non-strict: `/x` and `/x/` reach the same handler, with no redirect.
  app.set('strict routing', false);
  app.disable('x-powered-by');
  // The id exists before the body is parsed, so even a malformed-body error names its request.
  app.use((request: Request & { id?: string }, response: Response, next: NextFunction) => {
    request.id = assignRequestId(request, response);
    next();
  });
  // The security headers and no-store come first of all: neither refuses a request, and so every answer carries
  // them, a CORS preflight's and every refusal's included.
  app.use(
    helmet({
      // The API answers JSON; only the Swagger UI page needs its inline bootstrap to run. The console's pages
      // replace this with their own, stricter policy (src/console/console-pages.controller.ts).
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'validator.swagger.io'],
          // Helmet's default would make a browser fetch Swagger UI's and the queue dashboard's scripts over https
          // even when the page came over plain http from an address other than localhost: a blank page. TLS is
          // the proxy's to enforce (HSTS once it serves https).
          'upgrade-insecure-requests': null,
          // Helmet allows fonts and stylesheets from any https host; every asset here is the app's own (the queue
          // dashboard's page would otherwise fetch Google Fonts on every visit, telling Google who administers what).
          'font-src': ["'self'", 'data:'],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // No cache (the browser's, a proxy's, a CDN's) may keep an API answer: a greeting or a turn carries the
  // conversation id, which continues the conversation (its completion code included); the closing prompt depends on
  // the cookie; admin routes answer with participants' e-mails and transcripts, which must not outlive the session
  // or an erasure.
  // And since nothing is cached, no request is conditional: Express would answer one it finds fresh
  // (`If-None-Match: *` always is, or a matching ETag) with a bodiless 304, after a greeting had drawn and stored
  // its conversation.
  app.set('etag', false);
  app.use(`/${API_PREFIX}`, (request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
    next();
  });
  // Then CORS, before anything that can refuse the request, so that every refusal carries the CORS headers an
  // allowed page needs to read it.
  enableCorsFirst(app, config.http.corsOrigins);
  app.use(requireHostHeader);
  app.use(onlyJsonBodies);
  app.use(refuseDeclaredOversize(byteLimitOf(config.http.bodyLimit)));
  continueOnlyBodiesItReads(app.getHttpServer(), byteLimitOf(config.http.bodyLimit));
  app.useBodyParser('json', {
    type: JSON_BODY_TYPE,
    limit: config.http.bodyLimit,
    verify: verifyJsonBody(config.http.maxJsonDepth),
  });
  app.use(bodyParserErrors);
  app.use(onlyObjectBodies);
  app.use(cookieParser());
  app.setGlobalPrefix(API_PREFIX, {
    exclude: Object.values(CONSOLE_PAGES).map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.useGlobalFilters(new AllExceptionsFilter(app.get(ErrorTranslation)));
  app.useGlobalPipes(new AppValidationPipe());
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
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH });
}
