import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { InProcessQueue } from './in-process-queue';
import type { JobQueue } from './job-queue';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { PurgeJobsProcessor } from './purge-jobs.processor';
import { QUEUE_NAMES } from './queue-names';
import { QueueWorker } from './queue-worker';
import { bullRedisOptions } from './redis-options';

/** What every process gets whichever backend runs: the producer, the processor registry, the queue's own upkeep. */
const SERVICES = [JobsService, QueueWorker, PurgeJobsProcessor];

/** Closes the in-process queues (Bull's are closed by BullModule). */
@Global()
@Module({})
class InProcessQueueLifecycle implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      QUEUE_NAMES.map((name) => this.moduleRef.get<JobQueue>(getQueueToken(name), { strict: false }).close()),
    );
  }
}

/**
 * The queues, under @nestjs/bull's tokens (`@InjectQueue(name)`): Bull on Redis when REDIS_HOST is set,
 * `InProcessQueue` otherwise, chosen once at start from the configuration. Global: feature modules add jobs
 * through `JobsService` and register their processors with `QueueWorker`.
 */
@Module({})
export class QueueModule {
  static register(config: AppConfig): DynamicModule {
    if (config.redis.host) {
      return {
        module: QueueModule,
        global: true,
        imports: [
          BullModule.forRootAsync({
            inject: [AppConfig],
            useFactory: (appConfig: AppConfig) => ({
              prefix: `${appConfig.redis.keyPrefix}:bull`,
              createClient: (type) => new Redis(bullRedisOptions(appConfig, type)),
            }),
          }),
          BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
        ],
        controllers: [JobsController],
        providers: SERVICES,
        exports: [BullModule, JobsService, QueueWorker],
      };
    }
    const providers = QUEUE_NAMES.map((name) => ({ provide: getQueueToken(name), useValue: new InProcessQueue(name) }));
    return {
      module: QueueModule,
      global: true,
      imports: [InProcessQueueLifecycle],
      controllers: [JobsController],
      providers: [...providers, ...SERVICES],
      exports: [...providers.map((provider) => provider.provide), JobsService, QueueWorker],
    };
  }
}
