import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ChatModule } from './chat/chat.module';
import { AppLoggerModule } from './common/logger.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PerformanceModule } from './metrics/performance.module';
import { MlModule } from './ml/ml.module';
import { JobsModule, ProcessRoleModule } from './queue/jobs.module';
import type { ProcessRole } from './queue/process-role';
import { QueueDashboardModule } from './queue/queue-dashboard.module';
import { QueueModule } from './queue/queue.module';

/** What every process (API, worker, CLI) shares: config, logs, metrics, database, queues. */
export function coreModules(config: AppConfig, role: ProcessRole): NonNullable<DynamicModule['imports']> {
  return [
    AppConfigModule.forRoot(config),
    ProcessRoleModule.forRoot(role),
    AppLoggerModule,
    MetricsModule,
    DatabaseModule,
    QueueModule.register(config),
  ];
}

/** The HTTP API. Built from the configuration, which picks the queue backend. */
@Module({})
export class AppModule {
  static register(config: AppConfig = AppConfig.fromProcessEnv()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, 'api'),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.chat.throttleTtlMs, limit: Math.max(1, config.chat.throttleLimit) }],
          // THROTTLE_LIMIT=0 turns rate limiting off (load tests, trusted networks).
          skipIf: () => config.chat.throttleLimit === 0,
        }),
        MlModule,
        ChatModule,
        JobsModule,
        HealthModule,
        PerformanceModule,
        QueueDashboardModule.register(config),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
