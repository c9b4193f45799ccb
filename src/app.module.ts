import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ChatModule } from './chat/chat.module';
import { AppConfig } from './config/app-config';
import { CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { MlModule } from './ml/ml.module';
import { PerformanceModule } from './performance/performance.module';
import { QueueDashboardModule } from './queue/queue-dashboard.module';

/** The HTTP API. Built from the configuration, which picks the queue backend. */
@Module({})
export class AppModule {
  static register(config: AppConfig = AppConfig.fromProcessEnv()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, 'api'),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.chat.throttleTtlMs, limit: Math.max(1, config.chat.throttleLimit) }],
          // THROTTLE_LIMIT=0 turns rate limiting off (load tests, trusted networks).
          skipIf: () => config.chat.throttleLimit === 0,
        }),
        MlModule,
        ChatModule,
        HealthModule,
        PerformanceModule,
        QueueDashboardModule.register(config),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
