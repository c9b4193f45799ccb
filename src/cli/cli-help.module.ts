import { Module } from '@nestjs/common';
import { COMMANDS } from './commands';
import { STUDY_COMMANDS } from './study.commands';

/**
 * `--help` and `help <command>`: names, descriptions and options all come from the commands' decorators, so each
 * command is registered as a bare instance of its class, without its dependencies. Asking for help needs no
 * configuration and starts no database (not even the embedded one), Redis or model.
 */
@Module({
  providers: [...COMMANDS, ...STUDY_COMMANDS].map((command) => ({
    provide: command,
    useValue: Object.create(command.prototype) as object,
  })),
})
export class CliHelpModule {}
