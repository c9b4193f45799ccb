import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { DatabaseRepository } from './database.repository';

export const AUTOVACUUM_OFF_WARNING =
  'PostgreSQL runs with autovacuum off: the dead row versions every turn and every condition draw leave behind ' +
  'are never reclaimed and the planner statistics never refreshed, so tables and indexes grow and queries slow ' +
  'down as the study runs. Turn autovacuum on, or schedule VACUUM ANALYZE.';

/**
 * Server settings the service relies on but cannot set itself, checked once at start in the API and the worker.
 * Only a warning: the service works either way, and the operator owns the server's configuration.
 */
@Injectable()
export class DatabaseSettingsCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(DatabaseSettingsCheck.name);

  constructor(
    private readonly database: DatabaseRepository,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    // Start-up never waits for advice.
    void this.run();
  }

  async run(): Promise<void> {
    if (this.role === 'cli') return;
    // An unreadable setting is the probes' business (the database is reported down there), not this check's.
    const enabled = await this.database.autovacuumEnabled().catch(() => true);
    if (!enabled) this.logger.warn(AUTOVACUUM_OFF_WARNING);
  }
}
