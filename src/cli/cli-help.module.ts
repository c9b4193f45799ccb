import { Module, type Provider, type Type } from '@nestjs/common';
import type { CommandRunner } from 'nest-commander';
import { COMMANDS } from './commands';
import { StrictCommand } from './strict-command';
import { STUDY_COMMANDS } from './study.commands';

const ALL_COMMANDS: readonly Type<CommandRunner>[] = [...COMMANDS, ...STUDY_COMMANDS];

/** Each command as a bare instance of its class, without its dependencies; `run` replaced when given. */
function bareCommands(run?: CommandRunner['run']): Provider[] {
  return ALL_COMMANDS.map((command) => {
    const instance = Object.create(command.prototype as object) as CommandRunner;
    if (run !== undefined) Object.defineProperty(instance, 'run', { value: run });
    return { provide: command, useValue: instance };
  });
}

/**
 * `--help` and `help <command>`: names, descriptions and options all come from the commands' decorators, so each
 * command is registered as a bare instance of its class, without its dependencies. Asking for help needs no
 * configuration and starts no database (not even the embedded one), Redis or model.
 */
@Module({ providers: bareCommands() })
export class CliHelpModule {}

/** In place of a command's `run`: exit 1 with the command's own usage error, if its options have one. */
function refuseBadUsage(this: CommandRunner, _args: string[], options?: Record<string, unknown>): Promise<void> {
  const problem = this instanceof StrictCommand ? this.usageError(options ?? {}) : null;
  if (problem !== null) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  return Promise.resolve();
}

/**
 * The command line checked as commander parses it (unknown command or option, an argument too many, an option's
 * value refused by its parser) and as the command judges its options alone (`usageError`), with nothing run: a usage
 * error is answered before the configuration is read or anything starts, whatever the database and Redis are doing.
 */
@Module({ providers: bareCommands(refuseBadUsage) })
export class CliUsageModule {}
