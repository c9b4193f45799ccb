import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueDashboardMiddleware } from './queue-dashboard.middleware';
import { QUEUE_NAMES } from './queue-names';

/**
 * bull-board at `/api/admin/queues`, behind the admin key or a study-console session (a browser cannot send the
 * key header on a link), its answers in the service's shape and bounded in time (QueueDashboardMiddleware). Bull only:
 * in-process queues have no dashboard.
 */
@Module({})
export class QueueDashboardModule {
  static register(config: AppConfig): DynamicModule {
    if (!config.redis.host) return { module: QueueDashboardModule };
    return {
      module: QueueDashboardModule,
      imports: [
        BullBoardModule.forRoot({
          route: '/admin/queues',
          adapter: ExpressAdapter,
          middleware: QueueDashboardMiddleware,
        }),
        ...QUEUE_NAMES.map((name) => BullBoardModule.forFeature({ name, adapter: BullAdapter })),
      ],
    };
  }
}
