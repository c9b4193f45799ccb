import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsInJson } from './common/client-error';
import { configureHttpApp } from './common/http-setup';
import { AppConfig } from './config/app-config';

/** One HTTP process: the Nest application on the shared port. */
export async function serveApi(config: AppConfig): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
    // A failed start reaches main.ts's catch (one line, an exit code) instead of Nest's own stack-trace dump;
    // the logs buffered until then stay unprinted unless the start succeeds.
    abortOnError: false,
    autoFlushLogs: false,
  });
  configureHttpApp(app);
  const server = await app.listen(config.http.port, config.http.host);
  // Bounded waits for slow or idle clients; keep-alive outlives a load balancer's idle timeout (nginx, ingress:
  // 60 s) so it never reuses a connection this side just closed.
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = config.http.requestTimeoutMs;
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  answerClientErrorsInJson(server);
  // At shutdown (Nest's hooks, `HttpDrain` first) requests still running get this long before their sockets are cut.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => server.closeAllConnections(), config.http.shutdownTimeoutMs).unref());
  }
  const mode = config.mode;
  const where = cluster.isWorker ? `process ${process.pid} of ${config.http.processes}` : 'one process';
  app
    .get(Logger)
    .log(
      `Combot API listening on http://${config.http.host}:${config.http.port}/api (${where}; database: ${mode.database}, cache and queues: ${mode.redis === 'memory' ? 'in-process, non-durable' : 'Redis'})`,
      'Bootstrap',
    );
}
