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

  /**
   * What is wrong with `options` by themselves, or null. Needs neither the command's dependencies nor a setting, so
   * the CLI asks it before it reads the configuration or starts anything, and `run` asks it again.
   */
  usageError(_options: Record<string, unknown>): string | null {
    return null;
  }
}
