import { CommandRunner } from 'nest-commander';
import { givenMoreThanOnce } from '../common/query-values';

type Commander = Parameters<CommandRunner['setCommand']>[0];

/**
 * Makes an option given twice a usage error (exit 1 with one line, as for an unknown option). Commander keeps the
 * last value, so `--status completed --status abandoned` would export only the abandoned conversations and say
 * nothing; the HTTP API refuses a repeated parameter. Commander announces each occurrence as an `option:<name>`
 * event; the options are added after `setCommand`, so each is counted from the moment commander starts listening for
 * it, by a listener that runs before commander's own.
 */
function refuseRepeatedOptions(command: Commander): void {
  const counted = new Set<string>();
  command.on('newListener', (event: string | symbol) => {
    if (typeof event !== 'string' || !event.startsWith('option:') || counted.has(event)) return;
    counted.add(event);
    let given = false;
    command.on(event, () => {
      const option = command.options.find((candidate) => `option:${candidate.name()}` === event);
      // A variadic option is meant to be given again: each value adds to the list.
      if (!given || option === undefined || option.variadic) {
        given = true;
        return;
      }
      command.error(`error: ${givenMoreThanOnce(`option '${option.flags}'`)}`, {
        exitCode: 1,
        code: 'commander.repeatedOption',
      });
    });
  });
}

/**
 * A command that refuses arguments it does not take (commander's "too many arguments", exit 1, as for an unknown
 * option) and an option given twice. Commander accepts both by default, so `study:check a.json b.json` would check
 * only the first and still say valid, and `export-conversations study.csv` would write to standard output and say
 * nothing of the file.
 */
export abstract class StrictCommand extends CommandRunner {
  override setCommand(command: Commander): this {
    refuseRepeatedOptions(command);
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
