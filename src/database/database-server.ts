import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

/**
 * Gives the connection URL: `DATABASE_URL` when set, otherwise the embedded PostgreSQL of the
 * zero-service mode, which it starts, and stops after the connection pool has closed.
 */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseServer.name);
  private embedded: EmbeddedPostgresServer | null = null;
  private urlPromise: Promise<string> | null = null;
  private readonly stopOnExit = (): void => this.embedded?.stop();

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  url(): Promise<string> {
    this.urlPromise ??= this.resolveUrl();
    return this.urlPromise;
  }

  get mode(): 'embedded' | 'external' {
    return this.config.mode.database;
  }

  private async resolveUrl(): Promise<string> {
    if (this.config.database.url) {
      this.logger.log('database: external PostgreSQL from DATABASE_URL');
      return this.config.database.url;
    }
    this.embedded = new EmbeddedPostgresServer({
      dataDir: this.config.database.embeddedDir,
      port: this.config.database.embeddedPort,
      log: (message) => this.logger.log(message),
    });
    const connection = await this.embedded.start();
    // A process that exits without Nest's shutdown hooks still stops the server it started.
    process.once('exit', this.stopOnExit);
    this.logger.log(`database: embedded PostgreSQL (${this.config.database.embeddedDir})`);
    return connection.url;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close the pool first whatever order Nest runs the shutdown hooks in: the server must outlive it.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    this.embedded.stop();
    process.off('exit', this.stopOnExit);
  }
}
