import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseServer } from './database-server';
import { DatabaseServerModule } from './database-server.module';
import { typeormOptions } from './typeorm-options';

/** PostgreSQL through TypeORM; pending migrations run at start when `DB_MIGRATE_ON_START` says so. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [AppConfig, DatabaseServer],
      useFactory: async (config: AppConfig, server: DatabaseServer) => ({
        ...typeormOptions(config, await server.url()),
        migrationsRun: config.database.migrateOnStart,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    DatabaseServerModule,
  ],
  exports: [DatabaseServerModule],
})
export class DatabaseModule {}
