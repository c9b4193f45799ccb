import path from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { TypeOrmLogger } from './typeorm-logger';

/** `migrations/` at the repository root, both from `src/` (ts-node, jest) and from `dist/src/` (built). */
const MIGRATIONS_GLOB = path.join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/** Every feature's entities, for the TypeORM CLI; the app registers them per module instead. */
export const ENTITIES_GLOB = path.join(__dirname, '..', '**', '*.entity.{ts,js}');

/** The one description of the database connection, shared by the app and the TypeORM CLI. */
export function typeormOptions(config: AppConfig, url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: config.database.logQueries ? 'all' : ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(config.database.logQueries),
    extra: {
      max: config.database.poolSize,
      // A database that is down or frozen must cost a request a bounded wait, then a 503, never a hang:
      // connecting gives up after connectTimeoutMs; the server cancels a statement after statementTimeoutMs;
      // and the client stops waiting a second later, for a server too frozen to cancel anything.
      connectionTimeoutMillis: config.database.connectTimeoutMs,
      statement_timeout: config.database.statementTimeoutMs,
      query_timeout: config.database.statementTimeoutMs + 1000,
      // A DDL statement waiting for a table's lock holds every later statement on that table in the queue behind
      // it: the migration Job sets this, so a migration that cannot get its lock soon gives up (and is retried)
      // instead of stalling the live service for as long as its statement timeout allows.
      ...(config.database.lockTimeoutMs > 0 ? { lock_timeout: config.database.lockTimeoutMs } : {}),
      application_name: 'combot',
    },
  };
}
