import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseOutageTranslator } from './database-outage.translator';
import { AppConfig } from '../config/app-config';
import { DatabaseServer } from './database-server';
import { DatabaseServerModule } from './database-server.module';
import { DatabaseSettingsCheck } from './database-settings.check';
import { DatabaseRepository } from './database.repository';
import { typeormOptions } from './typeorm-options';

/**
 * PostgreSQL through TypeORM; pending migrations run at start when `DB_MIGRATE_ON_START` says so. Each feature
 * module registers its own entities (`TypeOrmModule.forFeature`); the migration CLI finds them by file name.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [AppConfig, DatabaseServer],
      useFactory: async (config: AppConfig, server: DatabaseServer) => ({
        ...typeormOptions(config, await server.url()),
        autoLoadEntities: true,
        migrationsRun: config.database.migrateOnStart,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    DatabaseServerModule,
  ],
  providers: [DatabaseRepository, DatabaseSettingsCheck, DatabaseOutageTranslator],
  exports: [DatabaseServerModule, DatabaseRepository],
})
export class DatabaseModule {}
