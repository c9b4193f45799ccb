import { DynamicModule, Module } from '@nestjs/common';
import { ErrorTranslationModule } from './common/error-translation';
import { AppLoggerModule } from './common/logger.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import type { ProcessRole } from './config/process-role';
import { DatabaseModule } from './database/database.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';

/** What every process (API, worker, CLI) shares: config, logs, metrics, database, queues. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, role: ProcessRole): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        AppConfigModule.forRoot(config, role),
        AppLoggerModule,
        ErrorTranslationModule,
        MetricsModule,
        DatabaseModule,
        QueueModule.register(config),
      ],
    };
  }
}
