import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DatabaseOutageTranslator } from './database-outage.translator';
import { AppConfig } from '../config/app-config';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { connectDataSource, type ConnectPolicy, type ConnectTarget } from './database-connect';
import { DatabaseServer } from './database-server';
import { DatabaseServerModule } from './database-server.module';
import { DatabaseSettingsCheck } from './database-settings.check';
import { DatabaseRepository } from './database.repository';
import { SchemaStatus } from './schema-status';
import { typeormOptions } from './typeorm-options';

/**
 * How long a process tries an unreachable database at start. The API and the worker wait a little for a database
 * that starts alongside them (compose, a pod scheduled first); an orchestrator restarts them after that. A CLI
 * command answers at once: its operator is waiting, and runs it again.
 */
const RETRY_FOR_MS: Record<ProcessRole, number> = { api: 10_000, worker: 10_000, cli: 0 };
const RETRY_DELAY_MS = 1000;

/** Carries what the connect needs from the options factory (which is injected) to the data source factory (not). */
const CONNECT = Symbol('connect');
type ConnectOptions = TypeOrmModuleOptions & { [CONNECT]: { target: ConnectTarget; policy: ConnectPolicy } };

const logger = new Logger('Database');

/**
 * PostgreSQL through TypeORM; pending migrations run at start when `DB_MIGRATE_ON_START` says so. Each feature
 * module registers its own entities (`TypeOrmModule.forFeature`); the migration CLI finds them by file name.
 * A database that cannot be connected to stops the start with one line (DatabaseConnectError), never the driver's
 * stack, and Nest's own retry (which logs one) is off.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [AppConfig, DatabaseServer, PROCESS_ROLE],
      useFactory: async (config: AppConfig, server: DatabaseServer, role: ProcessRole) => {
        const url = await server.url();
        const options: ConnectOptions = {
          ...typeormOptions(config, url),
          autoLoadEntities: true,
          // Run by connectDataSource once connected, outside its retries (policy.migrate).
          migrationsRun: false,
          toRetry: () => false,
          [CONNECT]: {
            target: { url, external: Boolean(config.database.url) },
            policy: {
              migrate: config.database.migrateOnStart,
              retryForMs: RETRY_FOR_MS[role],
              retryDelayMs: RETRY_DELAY_MS,
              warn: (line) => logger.warn(line),
            },
          },
        };
        return options;
      },
      dataSourceFactory: (options) => {
        const { [CONNECT]: connect, ...dataSourceOptions } = options as unknown as ConnectOptions;
        return connectDataSource(
          () => new DataSource(dataSourceOptions as DataSourceOptions),
          connect.target,
          connect.policy,
        );
      },
    }),
    DatabaseServerModule,
  ],
  providers: [DatabaseRepository, DatabaseSettingsCheck, DatabaseOutageTranslator, SchemaStatus],
  exports: [DatabaseServerModule, DatabaseRepository, SchemaStatus],
})
export class DatabaseModule {}
