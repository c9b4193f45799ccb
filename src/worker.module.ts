import { DynamicModule, Module } from '@nestjs/common';
import { ChatModule } from './chat/chat.module';
import { AppConfig } from './config/app-config';
import { CoreModule } from './core.module';
import { MlModule } from './ml/ml.module';
import { PerformanceModule } from './performance/performance.module';

/** The queue worker process: the feature modules whose processors and schedules it runs, no HTTP. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, 'worker'), MlModule, ChatModule, PerformanceModule],
    };
  }
}
