import { DynamicModule, Module } from '@nestjs/common';
import { coreModules } from './app.module';
import { AppConfig } from './config/app-config';
import { JobsModule } from './queue/jobs.module';

/** The queue worker process: processors and schedules, no HTTP. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [...coreModules(config, 'worker'), JobsModule] };
  }
}
