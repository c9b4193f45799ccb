import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { reasonOf } from '../common/throttled-warning';
import { DatabaseServer } from '../database/database-server';
import { DatabaseRepository } from '../database/database.repository';
import { schemaBehindMessage, SchemaStatus } from '../database/schema-status';

const PING_TIMEOUT_MS = 2000;

/**
 * The database answers and its schema has every migration this build knows: a server that answers with tables
 * missing would fail every participant request all the same.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly database: DatabaseRepository,
    private readonly server: DatabaseServer,
    private readonly schema: SchemaStatus,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    const mode = this.server.mode;
    const started = Date.now();
    try {
      await this.database.ping(PING_TIMEOUT_MS);
    } catch (error) {
      return indicator.down({ mode, message: reasonOf(error) });
    }
    const latencyMs = Date.now() - started;
    let pending: readonly string[];
    try {
      pending = await this.schema.pending();
    } catch (error) {
      return indicator.down({ mode, message: `schema unreadable: ${reasonOf(error)}` });
    }
    if (pending.length > 0) {
      return indicator.down({ mode, message: schemaBehindMessage(pending), pendingMigrations: [...pending] });
    }
    return indicator.up({ mode, latencyMs });
  }
}
