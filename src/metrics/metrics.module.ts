import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RequestStats } from './request-stats';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, RequestStats],
  exports: [MetricsService, RequestStats],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every path, in path-to-regexp 8's named-wildcard form (as the request logger's).
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
