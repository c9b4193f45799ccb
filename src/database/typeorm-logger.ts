import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';

/**
 * TypeORM's log lines through the service's logger (pino JSON in the API and worker, stderr in the CLI) instead of
 * its own console printing, and never with a statement's parameters: they carry what participants typed, e-mail
 * addresses included. A failed statement is written at debug level only: an outage is logged, rate-limited, by the
 * code that answers it (database/database-outage.translator.ts), and a bug by the exception filter, with its stack.
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  constructor(
    private readonly logQueries: boolean,
    private readonly logger: Pick<Logger, 'debug' | 'log' | 'warn'> = new Logger('TypeORM'),
  ) {}

  logQuery(query: string, _parameters?: unknown): void {
    if (this.logQueries) this.logger.log(query);
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown): void {
    this.logger.debug(`query failed (${error instanceof Error ? error.message : error}): ${query}`);
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown): void {
    this.logger.warn(`query took ${time} ms: ${query}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
