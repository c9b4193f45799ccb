import { Module } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { clientKeyOf } from '../common/client-address';
import { SharedRedisModule } from '../common/shared-redis';
import { AppConfig } from '../config/app-config';
import { SharedThrottlerStorage } from './shared-throttler.storage';

/** The storage as a provider, on the process's shared Redis connection, stopped with the application. */
@Module({ imports: [SharedRedisModule], providers: [SharedThrottlerStorage], exports: [SharedThrottlerStorage] })
class ThrottleStorageModule {}

/**
 * The counter of a client: one for all routes (the throttler's own key adds the controller and handler, which would
 * give a client the limit once per route), hashed so Redis holds no client address.
 */
const clientThrottleKey = (tracker: string, throttlerName: string): string =>
  createHash('sha256').update(`${throttlerName}-${tracker}`).digest('hex');

/**
 * Per-client rate limits over all routes together (health and metrics opt out). The client is `request.ip`, which only
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
        getTracker: (request: Record<string, unknown>) => clientKeyOf(request),
        generateKey: (_context, tracker, throttlerName) => clientThrottleKey(tracker, throttlerName),
        storage,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class ThrottleModule {}
