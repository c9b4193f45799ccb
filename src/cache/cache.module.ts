import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createCacheStore } from './cache-store.factory';
import { ResultCache } from './result-cache';

/** The result cache: Redis when configured, bounded memory otherwise; `ResultCache` is its only door. */
@Module({
  imports: [
    NestCacheModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ stores: [createCacheStore(config)] }),
    }),
  ],
  providers: [ResultCache],
  exports: [ResultCache],
})
export class CacheModule {}
