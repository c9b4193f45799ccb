import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { StartupError } from '../common/startup.error';
import { nestLogLevels, StderrLogger } from '../common/stderr.logger';
import { AppConfig } from '../config/app-config';
import { exitOnConfigError } from '../config/exit-on-config-error';
import { describeConnectFailure } from './database-connect';
import { EmbeddedPostgresServer } from './embedded-postgres.server';
import { ENTITIES_GLOB, typeormOptions } from './typeorm-options';

/**
 * A reason not to start the operator can fix (the embedded PostgreSQL missing from the production image, its port
 * taken) ends the command here with its one line and exit code: TypeORM's CLI would print its own "Error during
 * migration run:" and the stack, and exit 1.
 */
function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(error.exitCode);
}

/**
 * The TypeORM CLI's data source (`npm run migration:*`). Same options as the app; without
 * DATABASE_URL it starts (or attaches to) the embedded server and stops it when the command exits.
 */
async function createDataSource(): Promise<DataSource> {
  // A bad setting stops `npm run migration:*` as it stops the service: `KEY=value: problem`, exit 78, no stack.
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  // The migration Job's and compose's log: plain lines on stderr (no Nest app here to give it the service's logger),
  // at LOG_LEVEL as the service logs (info unless set: TypeORM's debug lines, such as the globs it read, stay out).
  Logger.overrideLogger(new StderrLogger({ logLevels: nestLogLevels(config.log.level) }));
  let url = config.database.url;
  if (!url) {
    const server = new EmbeddedPostgresServer({
      dataDir: config.database.embeddedDir,
      port: config.database.embeddedPort,
    });
    url = (await server.start().catch(exitOnStartupError)).url;
    process.once('exit', () => server.stop());
  }
  await exitUnlessConnectable(url, config.database.url !== null);
  return new DataSource({ ...typeormOptions(config, url), entities: [ENTITIES_GLOB] });
}

/**
 * Connects once before TypeORM's CLI does, so that a database that cannot be used (missing, a refused login,
 * unreachable) stops the command with the service's one line and exit code (78 or 69), not with the CLI's
 * "Error during migration run:" and the driver's stack.
 */
async function exitUnlessConnectable(url: string, external: boolean): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const failure = describeConnectFailure(error, { url, external });
    if (!failure) throw error;
    exitOnStartupError(failure);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default createDataSource();
