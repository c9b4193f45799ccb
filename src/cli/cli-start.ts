import type { HealthIndicatorResult } from '@nestjs/terminus';
import { StartupError } from '../common/startup.error';
import { DatabaseConnectError } from '../database/database-connect';
import type { HealthReport } from '../health/health.service';

/** sysexits EX_CONFIG, as for any setting the command cannot run without. */
export const SETTING_REQUIRED_EXIT_CODE = 78;

/** The command that runs the data-retention step once, as its schedule does. */
export const RETENTION_RUN_COMMAND = 'retention:run';
export const QUEUE_STATUS_COMMAND = 'queue:status';
export const EXPORT_COMMAND = 'export-conversations';
export const ERASE_COMMAND = 'erase-participant';

/**
 * The commands that read or write the study's tables: on a database behind this build's migrations they stop at
 * once with the schema's one line (as `health-check` reports it), not with a driver's "relation does not exist".
 */
const SCHEMA_COMMANDS: ReadonlySet<string> = new Set([EXPORT_COMMAND, ERASE_COMMAND, RETENTION_RUN_COMMAND]);

/** Whether the command in `args` needs the schema current before it runs. */
export function needsCurrentSchema(args: readonly string[]): boolean {
  const command = commandOf(args);
  return command !== undefined && SCHEMA_COMMANDS.has(command);
}

/** The command `args` name: the first word that is not an option. */
const commandOf = (args: readonly string[]): string | undefined => args.find((arg) => !arg.startsWith('-'));

/** Whether `args` run `name`, alone or as the option `--<name>` of `start-optimized-services`. */
const runs = (args: readonly string[], name: string): boolean => {
  const command = commandOf(args);
  return command === name || (command === 'start-optimized-services' && args.includes(`--${name}`));
};

/**
 * Why the command in `args` cannot do what it says without Redis, or null. Without REDIS_HOST the result cache is
 * the memory of the process that writes it: a CLI process would warm a cache that is gone when it exits, and the
 * API's own cache would stay as cold as before.
 */
export function redisRefusal(
  args: readonly string[],
  config: { readonly redis: { readonly host: string | null } },
): string | null {
  if (config.redis.host || !runs(args, 'warm-cache')) return null;
  return (
    'warm-cache needs Redis (REDIS_HOST): without it the result cache is this command’s own memory, gone when it ' +
    'exits, and each API process fills its own cache as it serves'
  );
}

/** Why `retention:run` cannot run, or null: without DATA_RETENTION_DAYS there is no age past which data goes. */
export function retentionRefusal(
  args: readonly string[],
  config: { readonly participantData: { readonly retentionDays: number | null } },
): string | null {
  if (config.participantData.retentionDays !== null || commandOf(args) !== RETENTION_RUN_COMMAND) return null;
  return (
    `${RETENTION_RUN_COMMAND} needs DATA_RETENTION_DAYS: without it retention is off and nothing ages out; set it ` +
    '(the number of days participant data is kept) as the API and the worker have it'
  );
}

/**
 * Why the command in `args` cannot run with this configuration, or null; checked before the application starts, so
 * the refusal comes first whatever the database and Redis are doing.
 */
export function settingRefusal(
  args: readonly string[],
  config: Parameters<typeof redisRefusal>[1] & Parameters<typeof retentionRefusal>[1],
): string | null {
  return redisRefusal(args, config) ?? retentionRefusal(args, config);
}

/** What the CLI prints and exits with when its application could not start. */
export interface StartFailure {
  readonly exitCode: number;
  readonly stderr: readonly string[];
  /** A health check's report, in the shape it prints when the application starts. */
  readonly stdout?: string;
}

/**
 * A start failure the operator can act on, as one line and an exit code; null for any other (its stack is what a
 * developer needs). A health check that could not reach the database answers as it would have had the database
 * gone down after the start: `not ready: database`, exit 1.
 */
export function startFailure(args: readonly string[], error: unknown): StartFailure | null {
  if (!(error instanceof StartupError)) return null;
  // The readiness check's failure has a documented form (`not ready: …`, exit 1).
  if (error instanceof DatabaseConnectError && runs(args, 'health-check')) {
    const parts: HealthIndicatorResult = { database: { status: 'down', message: error.message } };
    const report: HealthReport = { status: 'error', info: {}, error: parts, details: parts };
    return {
      exitCode: 1,
      stderr: [error.message, 'not ready: database'],
      stdout: JSON.stringify(report, null, 2),
    };
  }
  return { exitCode: error.exitCode, stderr: [error.message] };
}
