import 'reflect-metadata';
import { Console } from 'node:console';
import { Logger } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { logProcessWarnings } from './common/process-log';
import { StderrLogger } from './common/stderr.logger';
import { StudyCliModule } from './cli/study-cli.module';

// A command's stdout is its data, written with process.stdout.write; libraries that log with console.log (TypeORM
// writes a failed query so) would otherwise put their lines inside a redirected export.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

const OPTIONS: Parameters<typeof CommandFactory.run>[1] = {
  cliName: 'combot',
  logger: new StderrLogger({ logLevels: ['error', 'warn'] }),
  errorHandler: (error) => {
    const { exitCode = 1, code } = error as { exitCode?: number; code?: string };
    // Commander printed its own errors already, and ends `--help` with an "(outputHelp)" error of exit code 0.
    if (!code?.startsWith('commander.')) process.stderr.write(`${error.message}\n`);
    process.exit(exitCode);
  },
};

/**
 * The commands that start the application: a failed start (the database unreachable) must end in one line, so
 * Nest neither exits on its own nor prints its [ExceptionHandler] dump; logs wait in a buffer until the start
 * succeeded (or failed for a reason with no line of its own, when the dump is what a developer needs).
 */
const APP_OPTIONS: Parameters<typeof CommandFactory.run>[1] = {
  ...OPTIONS,
  abortOnError: false,
  bufferLogs: true,
  autoFlushLogs: false,
};

/**
 * `npm run cli -- <command>`: operations commands (`--help` lists them). Logs go to stderr, a command's data to
 * stdout. Help and the `study:*` commands (which read only a content file) run without the configuration, database
 * and Redis the others start.
 */
async function bootstrap(): Promise<void> {
  // A command's problems are one line each: a library's warning (node-postgres on `sslmode=require`) too.
  logProcessWarnings((_warning, message) => process.stderr.write(`warning: ${message.split('\n', 1)[0]}\n`));
  const args = process.argv.slice(2);
  const command = args.find((arg) => !arg.startsWith('-'));
  if (command === undefined || command === 'help' || args.includes('--help') || args.includes('-h')) {
    const { CliHelpModule } = await import('./cli/cli-help.module');
    await CommandFactory.run(CliHelpModule, OPTIONS);
    return;
  }
  if (command.startsWith('study:')) {
    await CommandFactory.run(StudyCliModule, OPTIONS);
    return;
  }
  // The command line first: a usage error exits here, before the configuration is read or anything starts.
  const { CliUsageModule } = await import('./cli/cli-usage.module');
  await CommandFactory.run(CliUsageModule, OPTIONS);
  // Loaded only here, so a study command does not even load the code of the database, queues and model.
  const [
    { CliModule },
    { AppConfig },
    { exitOnConfigError },
    { needsCurrentSchema, QUEUE_STATUS_COMMAND, settingRefusal, SETTING_REQUIRED_EXIT_CODE, startFailure },
    { SchemaStatus, schemaBehindMessage },
  ] = await Promise.all([
    import('./cli/cli.module'),
    import('./config/app-config'),
    import('./config/exit-on-config-error'),
    import('./cli/cli-start'),
    import('./database/schema-status'),
  ]);
  const config = exitOnConfigError(() => AppConfig.fromProcessEnv());
  const refusal = settingRefusal(args, config);
  if (refusal !== null) {
    process.stderr.write(`${refusal}\n`);
    process.exit(SETTING_REQUIRED_EXIT_CODE);
  }
  // queue:status reads only Redis: it answers during a database outage, when the full application cannot start.
  const module =
    command === QUEUE_STATUS_COMMAND
      ? (await import('./cli/queue-cli.module')).QueueCliModule.register(config)
      : CliModule.register(config);
  const app = await CommandFactory.createWithoutRunning(module, APP_OPTIONS).catch((error: unknown) => {
    const failure = startFailure(args, error);
    if (failure === null) {
      Logger.flush();
      throw error;
    }
    if (failure.stdout !== undefined) process.stdout.write(`${failure.stdout}\n`);
    process.stderr.write(failure.stderr.map((line) => `${line}\n`).join(''));
    return process.exit(failure.exitCode);
  });
  app.flushLogs();
  if (needsCurrentSchema(args)) {
    // An unreadable migrations table is left to the command, whose own failure says what went wrong.
    const pending = await app
      .get(SchemaStatus)
      .pending()
      .catch(() => []);
    if (pending.length > 0) {
      process.stderr.write(`${command}: ${schemaBehindMessage(pending)}\n`);
      await app.close();
      return process.exit(1);
    }
  }
  try {
    await CommandFactory.runApplication(app);
  } finally {
    await app.close();
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`combot CLI failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
