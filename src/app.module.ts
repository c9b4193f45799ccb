import { DynamicModule, Module } from '@nestjs/common';
import { ChatModule } from './chat/chat.module';
import { AppConfig } from './config/app-config';
import { ConsoleModule } from './console/console.module';
import { CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { MlModule } from './ml/ml.module';
import { PerformanceModule } from './performance/performance.module';
import { QueueDashboardModule } from './queue/queue-dashboard.module';
import { ThrottleModule } from './throttle/throttle.module';

/** The HTTP API. Built from the configuration, which picks the queue backend. */
@Module({})
export class AppModule {
  static register(config: AppConfig = AppConfig.fromProcessEnv()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, 'api'),
        ThrottleModule,
        MlModule,
        ChatModule,
        HealthModule,
        PerformanceModule,
        ConsoleModule,
        QueueDashboardModule.register(config),
      ],
    };
  }
}
