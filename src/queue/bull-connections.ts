import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { bullRedisOptions } from './redis-options';

/**
 * The Redis connections Bull's queues use. Bull closes only connections it made itself, never those of a
 * `createClient` (ours, so that each kind gets its own fail-fast or patient options), so they are kept here
 * and closed after the queues. A producer connection that becomes ready again after losing Redis tells the
 * `onReconnect` listeners: a Redis restarted without persistence has lost the repeatable schedules.
 */
export class BullConnections {
  private readonly clients = new Set<Redis>();
  private readonly reconnectListeners: (() => void)[] = [];

  create(config: AppConfig, type: 'client' | 'subscriber' | 'bclient'): Redis {
    const client = new Redis(bullRedisOptions(config, type));
    this.clients.add(client);
    if (type === 'client') {
      let connectedBefore = false;
      client.on('ready', () => {
        if (connectedBefore) for (const listener of this.reconnectListeners) listener();
        connectedBefore = true;
      });
    }
    return client;
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  close(): void {
    this.reconnectListeners.length = 0;
    for (const client of this.clients) client.disconnect();
    this.clients.clear();
  }
}
