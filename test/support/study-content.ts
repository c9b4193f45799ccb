import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir';

const REPO = path.resolve(__dirname, '..', '..');
export const EXAMPLE_STUDY = path.join(REPO, 'studies', 'example.json');

/**
 * Writes a study content file of the test's own: the shipped example with `change` applied to its parsed JSON.
 * Returns its path (in a fresh temp folder, removed when the test process exits).
 */
export function studyContentFile(change: (content: Record<string, unknown>) => void = () => undefined): string {
  const content = JSON.parse(readFileSync(EXAMPLE_STUDY, 'utf8')) as Record<string, unknown>;
  change(content);
  const file = path.join(tempDir('combot-study-'), 'study.json');
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}

/**
 * Moves the example's survey links off the documentation domain: a configured study, as tests need (on a public
 * name: one under `.test` would draw a start-up warning).
 */
export function configuredStudy(content: Record<string, unknown>): void {
  const brands = content.brands as Record<string, { surveyUrl: string }>;
  for (const brand of Object.values(brands)) {
    brand.surveyUrl = brand.surveyUrl.replace('survey.example.org', 'survey.combot-study.org');
  }
}

/** One configured study file shared by every test of this process (never removed while it runs). */
let configured: string | null = null;
export function configuredStudyFile(): string {
  configured ??= studyContentFile(configuredStudy);
  return configured;
}
