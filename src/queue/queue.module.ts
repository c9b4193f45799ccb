import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { settlesWithin } from '../common/settles-within';
import { AppConfig } from '../config/app-config';
import { BullConnections } from './bull-connections';
import { InProcessQueue } from './in-process-queue';
import type { JobQueue } from './job-queue';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { PurgeJobsProcessor } from './purge-jobs.processor';
import { QUEUE_NAMES } from './queue-names';
import { QueueWorker } from './queue-worker';

/**
 * Closes the queues at shutdown, waiting for active jobs at most `waitMs` (a job stuck on a dependency must not keep
 * the process from exiting), then the connections they ran on.
 */
@Injectable()
export class QueueLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly connections: BullConnections | null,
    private readonly waitMs: number,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const queues = QUEUE_NAMES.map((name) => this.moduleRef.get<JobQueue>(getQueueToken(name), { strict: false }));
    // A second close() returns the first one's promise (Bull's and the in-process queue's alike), so past the bound
    // shutdown stops waiting for it rather than asking again; the process exits with the job unfinished.
    await settlesWithin(Promise.all(queues.map((queue) => queue.close())), this.waitMs);
    this.connections?.close();
  }
}

/** What every process gets whichever backend runs: the producer, the processor registry, the queue's own upkeep. */
const SERVICES = [JobsService, QueueWorker, PurgeJobsProcessor];

/**
 * The queues, under @nestjs/bull's tokens (`@InjectQueue(name)`): Bull on Redis when REDIS_HOST is set,
 * `InProcessQueue` otherwise, chosen once at start from the configuration. Global: feature modules add jobs
 * through `JobsService` and register their processors with `QueueWorker`.
 */
@Module({})
export class QueueModule {
  static register(config: AppConfig): DynamicModule {
    const common = {
      module: QueueModule,
      global: true,
      controllers: [JobsController],
      exports: [JobsService, QueueWorker],
    };
    if (config.redis.host) {
      const connections = new BullConnections();
      return {
        ...common,
        imports: [
          BullModule.forRoot({
            prefix: `${config.redis.keyPrefix}:bull`,
            settings: { lockDuration: config.queue.lockDurationMs, stalledInterval: config.queue.stalledIntervalMs },
            createClient: (type) => connections.create(config, type),
          }),
          BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
        ],
        providers: [
          ...SERVICES,
          { provide: BullConnections, useValue: connections },
          {
            provide: QueueLifecycle,
            inject: [ModuleRef, AppConfig],
            useFactory: (moduleRef: ModuleRef, config: AppConfig) =>
              new QueueLifecycle(moduleRef, connections, config.http.shutdownTimeoutMs),
          },
        ],
        exports: [...common.exports, BullModule],
      };
    }
    const queues = QUEUE_NAMES.map((name) => ({ provide: getQueueToken(name), useValue: new InProcessQueue(name) }));
    return {
      ...common,
      providers: [
        ...queues,
        ...SERVICES,
        {
          provide: QueueLifecycle,
          inject: [ModuleRef, AppConfig],
          useFactory: (moduleRef: ModuleRef, config: AppConfig) =>
            new QueueLifecycle(moduleRef, null, config.http.shutdownTimeoutMs),
        },
      ],
      exports: [...common.exports, ...queues.map((queue) => queue.provide)],
    };
  }
}
