import { Module } from '@nestjs/common';
import type { CommandRunner } from 'nest-commander';
import { bareCommands } from './cli-help.module';
import { StrictCommand } from './strict-command';

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
