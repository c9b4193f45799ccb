import { Global, Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { MlModule } from '../ml/ml.module';
import { ClassifyProcessor } from './classify.processor';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { MaintenanceProcessor } from './maintenance.processor';
import { PROCESS_ROLE, type ProcessRole } from './process-role';
import { QueueWorker } from './queue-worker';

/** Producers, processors and schedules over the queues of QueueModule. */
@Module({
  imports: [MlModule, ChatModule],
  controllers: [JobsController],
  providers: [JobsService, ClassifyProcessor, MaintenanceProcessor, QueueWorker],
  exports: [JobsService, QueueWorker],
})
export class JobsModule {}

/** Which process this is (API, worker or CLI): decides whether queue processors attach. */
@Global()
@Module({})
export class ProcessRoleModule {
  static forRoot(role: ProcessRole) {
    return {
      module: ProcessRoleModule,
      providers: [{ provide: PROCESS_ROLE, useValue: role }],
      exports: [PROCESS_ROLE],
    };
  }
}
