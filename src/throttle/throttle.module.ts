import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { SharedRedisModule } from '../common/shared-redis';
import { AppConfig } from '../config/app-config';
import { SharedThrottlerStorage } from './shared-throttler.storage';

/** The storage as a provider, on the process's shared Redis connection, stopped with the application. */
@Module({ imports: [SharedRedisModule], providers: [SharedThrottlerStorage], exports: [SharedThrottlerStorage] })
class ThrottleStorageModule {}

/**
 * Per-client rate limits on every route (health and metrics opt out). The client is `request.ip`, which only
 * believes X-Forwarded-For from the proxies TRUST_PROXY names; counters live in Redis when it is configured.
 * THROTTLE_LIMIT=0 turns rate limiting off (load tests, trusted networks).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottleStorageModule],
      inject: [AppConfig, SharedThrottlerStorage],
      useFactory: (config: AppConfig, storage: SharedThrottlerStorage) => ({
        throttlers: [{ ttl: config.chat.throttleTtlMs, limit: Math.max(1, config.chat.throttleLimit) }],
        skipIf: () => config.chat.throttleLimit === 0,
        storage,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class ThrottleModule {}
