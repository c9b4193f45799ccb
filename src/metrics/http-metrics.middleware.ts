import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';
import { RequestStats } from './request-stats';

/**
 * Times every request under the API prefix and the console pages, labelled by the pattern of the route that
 * answered it (never the raw URL: bounded cardinality; a request no controller takes carries the not-found
 * handler's catch-all pattern, `/api/{*path}`). A middleware rather than an interceptor: it also times requests a
 * guard refuses, and costs no rxjs pipeline and async-context binding per request.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    private readonly metrics: MetricsService,
    private readonly stats: RequestStats,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = performance.now();
    response.once('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const ms = performance.now() - started;
      this.metrics.httpDuration.observe(
        { method: request.method, route: String(route), status: String(response.statusCode) },
        ms / 1000,
      );
      this.stats.record(ms, response.statusCode);
    });
    next();
  }
}
