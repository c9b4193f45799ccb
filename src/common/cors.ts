import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Whether a page of `origin` may read the API's answers, with the participant's cookie: an origin in CORS_ORIGINS
 * (or every origin with `*`). A request without `Origin` is no browser's cross-origin request.
 */
export function corsAllows(origins: readonly string[], origin: string | undefined): boolean {
  return origin === undefined || origins.includes('*') || origins.includes(origin);
}

/** Adds `Origin` to `Vary` (once): the answer differs by origin, so no cache may hand one origin's to another. */
function varyOnOrigin(response: Response): void {
  const vary = response.getHeader('Vary');
  const present = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(present))
    response.setHeader('Vary', present ? `${present}, Origin` : 'Origin');
}

/**
 * CORS for every answer the API sends, its refusals of a body included: registered before anything that can refuse
 * a request (the body parser, the Host check), so an allowed page can read each of those errors as JSON.
 *
 * Every `OPTIONS` request is answered here as a preflight, 204 and no body: with the `Access-Control-Allow-*`
 * headers for an allowed origin, without them for any other (the browser then blocks the request it asked about).
 * A preflight never reaches a route, which would answer a disallowed origin's with a 405 meant for a wrong method.
 */
export function enableCorsFirst(app: NestExpressApplication, origins: readonly string[]): void {
  app.enableCors({
    origin: (origin, callback) => callback(null, corsAllows(origins, origin)),
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-Request-Id', 'X-Api-Key', 'Authorization'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  // The cors middleware ends every OPTIONS it allows and passes on the others: only a disallowed origin's gets here.
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'OPTIONS') return next();
    varyOnOrigin(response);
    response.status(204).setHeader('Content-Length', '0');
    response.end();
  });
}
