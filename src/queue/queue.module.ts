import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { InProcessQueue } from './in-process-queue';
import type { JobQueue } from './job-queue';
import { QUEUE_NAMES } from './queue-names';
import { bullRedisOptions } from './redis-options';

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
 * `InProcessQueue` otherwise. The choice is made once at start from the configuration.
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
        exports: [BullModule],
      };
    }
    const providers = QUEUE_NAMES.map((name) => ({ provide: getQueueToken(name), useValue: new InProcessQueue(name) }));
    return {
      module: QueueModule,
      global: true,
      imports: [InProcessQueueLifecycle],
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
