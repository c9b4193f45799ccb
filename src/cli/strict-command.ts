import { CommandRunner } from 'nest-commander';

/**
 * A command that refuses arguments it does not take (commander's "too many arguments", exit 1, as for an unknown
 * option). Commander accepts them by default, so `study:check a.json b.json` would check only the first and still say
 * valid, and `export-conversations study.csv` would write to standard output and say nothing of the file.
 */
export abstract class StrictCommand extends CommandRunner {
  override setCommand(command: Parameters<CommandRunner['setCommand']>[0]): this {
    return super.setCommand(command.allowExcessArguments(false));
  }
}
