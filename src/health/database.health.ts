import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseServer } from '../database/database-server';

const PING_TIMEOUT_MS = 2000;

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly server: DatabaseServer,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no answer in ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS).unref(),
        ),
      ]);
      return indicator.up({ mode: this.server.mode, latencyMs: Date.now() - started });
    } catch (error) {
      return indicator.down({
        mode: this.server.mode,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
