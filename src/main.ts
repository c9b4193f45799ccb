import cluster from 'node:cluster';
import { logProcessWarnings, processLogger, warnLineOf } from './common/process-log';
import { exitOnStartupFailure } from './common/startup.error';
import { AppConfig, ConfigValidationError } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';

/**
 * `API_PROCESSES` > 1: this process is the cluster's primary and forks the HTTP processes; otherwise it serves.
 * Each role loads only its own code: a primary that loaded the application as well would hold ~70 MiB it never uses.
 */
async function bootstrap(): Promise<void> {
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  const primary = cluster.isPrimary && config.http.processes > 1;
  logProcessWarnings(warnLineOf(processLogger(config, primary ? 'primary' : 'api', 'Process')));
  if (primary) {
    const { runApiCluster } = await import('./cluster/api-cluster');
    await runApiCluster(config);
  } else {
    const { serveApi } = await import('./api-process');
    await serveApi(config);
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) return;
  exitOnStartupFailure('Combot API', error);
});
