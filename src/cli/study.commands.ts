import { Command, Option } from 'nest-commander';
import { ARMS } from '../chat/chat.types';
import { StudyContent } from '../chat/study-content.provider';
import { armName, studyPreview } from '../chat/study-preview';
import { studySummary } from '../chat/study-summary';
import { LABELS } from '../ml/ml.types';
import { StrictCommand } from './strict-command';

/** sysexits EX_CONFIG: what the API exits with when the same file is refused at start. */
const EXIT_BAD_CONTENT = 78;

/**
 * Reads a content file for a study command: the content, or its problems printed as `FILE: $.path: problem` (the
 * exit code set to 78) and null.
 */
function readContent(file: string): StudyContent | null {
  const loaded = StudyContent.read(file);
  if ('content' in loaded) return loaded.content;
  for (const problem of loaded.problems) process.stderr.write(`${file}: ${problem.path}: ${problem.message}\n`);
  process.exitCode = EXIT_BAD_CONTENT;
  return null;
}

function usage(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

/* The study commands need neither PostgreSQL nor Redis: `cli.ts` runs them in StudyCliModule, which has neither. */

@Command({
  name: 'study:check',
  arguments: '<file>',
  description: 'Validate a study content file: its problems (exit 78), or a summary and warnings (exit 0).',
})
export class StudyCheckCommand extends StrictCommand {
  run([file]: string[]): Promise<void> {
    const content = readContent(file);
    if (content) {
      const { lines, warnings } = studySummary(content);
      process.stdout.write(`${file}: valid\n${lines.join('\n')}\n`);
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    }
    return Promise.resolve();
  }
}

@Command({
  name: 'study:preview',
  arguments: '<file>',
  description:
    'Print every scripted conversation (8 arms × 4 labels) as participants will read it, to proofread a study.',
})
export class StudyPreviewCommand extends StrictCommand {
  run([file]: string[], options: { arm?: string; label?: string }): Promise<void> {
    const arms = options.arm === undefined ? ARMS : ARMS.filter((arm) => armName(arm) === options.arm);
    const labels = options.label === undefined ? LABELS : LABELS.filter((label) => label === options.label);
    if (arms.length === 0) {
      usage(`--arm must be one of ${ARMS.map(armName).join(', ')}`);
    } else if (labels.length === 0) {
      usage(`--label must be one of ${LABELS.join(', ')}`);
    } else {
      const content = readContent(file);
      if (content) process.stdout.write(`${studyPreview(content, arms, labels)}\n`);
    }
    return Promise.resolve();
  }

  @Option({ flags: '--arm <brand/think/feel>', description: 'one arm only, e.g. Basic/High/Low' })
  parseArm(value: string): string {
    return value;
  }

  @Option({ flags: '--label <label>', description: 'one label only: A, B, C or Other' })
  parseLabel(value: string): string {
    return value;
  }
}

export const STUDY_COMMANDS = [StudyCheckCommand, StudyPreviewCommand];
