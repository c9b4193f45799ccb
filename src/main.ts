import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureHttpApp } from './common/http-setup';
import { AppConfig, ConfigValidationError } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';

async function bootstrap(): Promise<void> {
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureHttpApp(app);
  const server = await app.listen(config.http.port, config.http.host);
  // Requests still in flight at shutdown get this long to finish before their sockets are cut.
  process.once('SIGTERM', () => setTimeout(() => server.closeAllConnections(), config.http.shutdownTimeoutMs).unref());
  const mode = config.mode;
  app
    .get(Logger)
    .log(
      `Combot API listening on http://${config.http.host}:${config.http.port}/api (database: ${mode.database}, cache and queues: ${mode.redis === 'memory' ? 'in-process, non-durable' : 'Redis'})`,
      'Bootstrap',
    );
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) return;
  process.stderr.write(`Combot API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
