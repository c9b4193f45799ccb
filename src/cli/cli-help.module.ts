import { Module, type Provider, type Type } from '@nestjs/common';
import type { CommandRunner } from 'nest-commander';
import { COMMANDS } from './commands';
import { STUDY_COMMANDS } from './study.commands';

const ALL_COMMANDS: readonly Type<CommandRunner>[] = [...COMMANDS, ...STUDY_COMMANDS];

/** Each command as a bare instance of its class, without its dependencies; `run` replaced when given. */
export function bareCommands(run?: CommandRunner['run']): Provider[] {
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
