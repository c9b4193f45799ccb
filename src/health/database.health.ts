import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseServer } from '../database/database-server';
import { DatabaseRepository } from '../database/database.repository';

const PING_TIMEOUT_MS = 2000;

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly database: DatabaseRepository,
    private readonly server: DatabaseServer,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await this.database.ping(PING_TIMEOUT_MS);
      return indicator.up({ mode: this.server.mode, latencyMs: Date.now() - started });
    } catch (error) {
      return indicator.down({
        mode: this.server.mode,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
