import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { failFastRedisOptions } from './redis-connection';

/**
 * The process's one fail-fast Redis connection (`failFastRedisOptions`) for the small state its replicas share and
 * no request may wait on: rate-limit counters and failed console logins. `client` is null without REDIS_HOST. Each
 * user falls back to its own process memory while a command fails, and says so itself.
 */
@Injectable()
export class SharedRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis | null;

  constructor(private readonly config: AppConfig) {
    this.client = config.redis.host ? new Redis(failFastRedisOptions(config)) : null;
    // The users report what an outage means for them; the client's own connection errors would only repeat it.
    this.client?.on('error', () => undefined);
  }

  /**
   * Waits, at most the connect timeout (REDIS_CONNECT_TIMEOUT_MS), for Redis before the first request: commands fail
   * fast (and count in memory) while the client is still connecting. A Redis that refuses the connection ends the
   * wait at once; one that does not answer delays the start by that timeout; neither stops it.
   */
  async onModuleInit(): Promise<void> {
    if (!this.client || this.client.status === 'ready') return;
    const timeout = new AbortController();
    await Promise.race([
      once(this.client, 'ready', { signal: timeout.signal }),
      sleep(this.config.redis.connectTimeoutMs, undefined, { signal: timeout.signal }),
    ]).catch(() => undefined);
    timeout.abort();
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}

/** Provides the one `SharedRedis` of the process to every module that imports this one. */
@Module({ providers: [SharedRedis], exports: [SharedRedis] })
export class SharedRedisModule {}
