import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { PROCESS_ROLE, type ProcessRole } from './process-role';

/** Provides the one `AppConfig`, built at start by the entry point, and which process this is. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig, role: ProcessRole): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: PROCESS_ROLE, useValue: role },
      ],
      exports: [AppConfig, PROCESS_ROLE],
    };
  }
}
