import { DynamicModule, Module } from '@nestjs/common';
import { ErrorTranslationModule } from '../common/error-translation';
import { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { MetricsModule } from '../metrics/metrics.module';
import { QueueModule } from '../queue/queue.module';
import { QueueStatusCommand } from './commands';

/**
 * The CLI for `queue:status`: the queues live in Redis, so it starts neither the database nor the model. An operator
 * reads the queues during a database outage too, when the full CLI application cannot start.
 */
@Module({})
export class QueueCliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: QueueCliModule,
      imports: [
        AppConfigModule.forRoot(config, 'cli'),
        ErrorTranslationModule,
        MetricsModule,
        QueueModule.register(config),
      ],
      providers: [QueueStatusCommand],
    };
  }
}
