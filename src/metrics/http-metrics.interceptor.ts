import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { MetricsService } from './metrics.service';
import { RequestStats } from './request-stats';

/** Times every routed request, labelled by its route pattern (never the raw URL: bounded cardinality). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: MetricsService,
    private readonly stats: RequestStats,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
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
    return next.handle();
  }
}
