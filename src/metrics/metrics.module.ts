import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RequestStats } from './request-stats';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, RequestStats, { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
  exports: [MetricsService, RequestStats],
})
export class MetricsModule {}
