import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { assertAdmin } from '../common/admin-api-key.guard';
import { AppConfig } from '../config/app-config';
import { QUEUE_NAMES } from './queue-names';

/** bull-board at `/api/admin/queues`, behind the admin key. Bull only: in-process queues have no dashboard. */
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
          middleware: (request: Request, _response: Response, next: NextFunction) => {
            assertAdmin(config, request);
            next();
          },
        }),
        ...QUEUE_NAMES.map((name) => BullBoardModule.forFeature({ name, adapter: BullAdapter })),
      ],
    };
  }
}
