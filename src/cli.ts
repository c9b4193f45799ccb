import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { AppConfig } from './config/app-config';
import { exitOnConfigError } from './config/exit-on-config-error';

/** `npm run cli -- <command>`: operations commands (`--help` lists them). Logs go to stderr. */
async function bootstrap(): Promise<void> {
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  await CommandFactory.run(CliModule.register(config), {
    cliName: 'combot',
    logger: ['error', 'warn'],
    errorHandler: (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit((error as { exitCode?: number }).exitCode ?? 1);
    },
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`combot CLI failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
