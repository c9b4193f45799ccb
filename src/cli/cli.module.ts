import { DynamicModule, Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { ChatModule } from '../chat/chat.module';
import { AppConfig } from '../config/app-config';
import { CoreModule } from '../core.module';
import { HealthModule } from '../health/health.module';
import { MlModule } from '../ml/ml.module';
import { COMMANDS } from './commands';
import { OperationsService } from './operations.service';

/**
 * The CLI's application: the same modules as the API, no HTTP server; models load only on demand. `cli.ts` runs
 * help (CliHelpModule) and the study commands (StudyCliModule) without it.
 */
@Module({})
export class CliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [CoreModule.forRoot(config, 'cli'), CacheModule, MlModule, ChatModule, HealthModule],
      providers: [OperationsService, ...COMMANDS],
    };
  }
}
