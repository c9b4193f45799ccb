import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { DatabaseRepository } from './database.repository';

/**
 * How long a "behind" answer stands before a probe reads the migrations table again. A read is two small queries
 * (a few ms), but readiness is public and unthrottled: a burst of probes must not become a burst of reads.
 */
export const SCHEMA_RECHECK_MS = 2000;

/** The admin detail of readiness, and the start-up warning, while the schema lacks migrations of this build. */
export function schemaBehindMessage(pending: readonly string[]): string {
  const count = `${pending.length} pending migration${pending.length === 1 ? '' : 's'}`;
  return `schema behind: ${count} (${pending.join(', ')}); run the migration job (npm run migration:run)`;
}

/**
 * Whether the database's schema has every migration this build knows. Without them every participant request
 * fails on a missing table or column, so readiness reports the database down until the migration job has run. A
 * database ahead of the build (a newer release migrated it during a rolling update) counts as current.
 */
@Injectable()
export class SchemaStatus implements OnApplicationBootstrap {
  private readonly logger = new Logger(SchemaStatus.name);
  /** Once current, always current: the build's migrations are fixed while it runs. */
  private current = false;
  private lastBehind: { at: number; pending: readonly string[] } | null = null;
  private reading: Promise<readonly string[]> | null = null;

  constructor(
    private readonly database: DatabaseRepository,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    // A one-off command reports the schema through `health-check`; a warning on every command would be noise.
    if (this.role === 'cli') return;
    // Start-up never waits for advice.
    void this.warnIfBehind();
  }

  async warnIfBehind(): Promise<void> {
    // An unreadable schema is the probes' business (the database is reported down there), not this warning's.
    const pending = await this.pending().catch(() => []);
    if (pending.length > 0) this.logger.warn(schemaBehindMessage(pending));
  }

  /** This build's migrations the database has not run; rejects when they cannot be read. */
  pending(): Promise<readonly string[]> {
    if (this.current) return Promise.resolve([]);
    if (this.lastBehind && Date.now() - this.lastBehind.at < SCHEMA_RECHECK_MS) {
      return Promise.resolve(this.lastBehind.pending);
    }
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  private async read(): Promise<readonly string[]> {
    const pending = await this.database.pendingMigrations();
    if (pending.length === 0) this.current = true;
    this.lastBehind = pending.length === 0 ? null : { at: Date.now(), pending };
    return pending;
  }
}
